# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · What if Russia joins the Quartet?
#
# The article quotes an expert who warns that if Moscow does not join the
# Quartet, it loses Tajikistan. That is a counterfactual claim: it compares the
# world as it went (Russia stays out) with a world that did not happen (Russia
# joins). A model cannot tell us what would have happened, but it can tell us
# whether the claim follows from the mechanisms we put in it, and how sure we can
# be given the model's own randomness.
#
# The plan: run the article's scenario and its variant
# `scenarios/russia_joins_quartet.yaml` fifty times each (an *ensemble*: the same
# scenario under fifty random seeds), draw both with uncertainty bands, and test
# the claim with numbers, whatever they say.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim
from sim.plots import fan, patron_colors
from sim.scenario import default_scenario_path
from sim.stats import bands, wilson_interval

pd.set_option("display.width", 120)
pd.set_option("display.precision", 3)

BASE = default_scenario_path()
JOINS = BASE.parent / "russia_joins_quartet.yaml"
SEEDS = list(range(50))
STATE = "Tajikistan"
print(JOINS.read_text(encoding="utf-8"))

# %% [markdown]
# The variant `extends:` the article's file and adds one event: Russia joins the
# Quartet at its founding (Urumqi, August 2016). As a member, not a leader, its
# security spending in the Quartet's members earns a partner's share of the bloc's
# bonus. Nothing else changes.
#
# ## 1. Two ensembles of fifty runs
#
# `sim.run(path, seed=list_of_seeds)` advances all fifty runs at once as one
# ensemble, which takes about a second. Each seed gives a different draw of the
# random parts (who reconsiders its blocs when, Afghanistan's shocks). Seed *k*
# draws the same random numbers in both scenarios, so run *k* with Russia in the
# Quartet is the twin of run *k* without: differences between twins are the
# effect of joining, not luck.

# %%
base = sim.run(BASE, seed=SEEDS)
joins = sim.run(JOINS, seed=SEEDS)
print(f"{len(base.summaries)} + {len(joins.summaries)} runs of {base.summary['months']} months")

# %% [markdown]
# ## 2. Influence over Tajikistan, with uncertainty bands
#
# Lines are the median over the fifty runs; the dark band holds the middle 50% of
# runs and the light band 90% (`sim.stats.bands` computes these quantiles month by
# month, `sim.plots.fan` draws them). Left, the world as it went; right, with Russia in
# the Quartet. Where the red line climbs above the blue one, China has become the
# patron holding most of Tajikistan.


# %%
def shares(result: sim.RunResult, patron: str, state: str = STATE) -> pd.DataFrame:
    """Every run's share of ``state`` held by ``patron``, month by month (tidy rows)."""
    return result.influence.query("target == @state and patron == @patron")


colors = patron_colors(["China", "Russia"])
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, (label, result) in zip(
    axes, [("Russia stays out", base), ("Russia joins", joins)], strict=True
):
    for patron in ("China", "Russia"):
        q = bands(shares(result, patron), "influence")  # quantiles across runs, by month
        fan(ax, q.index.to_numpy(), q.to_numpy().T, color=colors[patron], label=patron)
    ax.set_title(f"{STATE}: {label}", loc="left")
    ax.set_xlabel("month (0 = March 2016)")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
axes[0].set_ylabel("influence share")
axes[0].legend(frameon=False)
fig.tight_layout()

# %% [markdown]
# The bands are narrow when the model's randomness matters little for this
# state: most of what happens to Tajikistan is driven by money and stocks, which
# are the same in every run. Narrow bands are not certainty about the world: they
# say nothing about whether the scenario's numbers are right (notebook 04 varies
# those).
#
# ### Exercise 3.1 · Read the fan chart
#
# In the left panel (Russia stays out), in which month does China's median line
# first rise above Russia's? Read it off the chart, then make it exact:
# `bands(shares(base, "China"), "influence")[0.5]` is China's median share month by
# month. Write the month as `median_crossing` (`None` if it never does).

# %% tags=["answer"]
# YOUR ANSWER HERE: replace ... with a month (or None)
median_crossing = ...

# %% tags=["solution"]
china_median = bands(shares(base, "China"), "influence")[0.5]
russia_median = bands(shares(base, "Russia"), "influence")[0.5]
ahead = china_median > russia_median
median_crossing = int(ahead.idxmax()) if ahead.any() else None
median_crossing

# %% tags=["check"]
assert median_crossing is not ..., (
    "Exercise 3.1: replace the ... in the answer cell with a month (a whole number) or None"
)
lead = (
    bands(shares(base, "China"), "influence")[0.5] - bands(shares(base, "Russia"), "influence")[0.5]
)
months_ahead = lead.index[lead > 0]
first = int(months_ahead[0]) if len(months_ahead) else None
if median_crossing is not None and median_crossing not in lead.index:
    raise AssertionError(f"Exercise 3.1: month {median_crossing!r} is not in the run (0-119)")
if first is None:
    assert median_crossing is None, (
        f"Exercise 3.1: in month {median_crossing} China's median is not above Russia's; "
        "it never gets above it in this ensemble"
    )
elif median_crossing is None:
    raise AssertionError(
        "Exercise 3.1: China's median does rise above Russia's; compare the two medians "
        "month by month"
    )
else:
    assert median_crossing >= first, (
        f"Exercise 3.1: in month {median_crossing} China's median is not above Russia's yet; "
        "look later"
    )
    assert median_crossing <= first, (
        f"Exercise 3.1: China's median is above Russia's before month {median_crossing}; "
        "look earlier"
    )
print(f"Right: China's median share of {STATE} passes Russia's in month {first}.")

# %% [markdown]
# ## 3. The claim, made testable
#
# "Russia loses Tajikistan" needs a definition before it can be tested. Here:
# Russia **keeps** Tajikistan if, at the end of the run (February 2026), it holds
# a larger share of it than China does. The expert's claim then has two parts:
#
# 1. if Russia stays out, it loses Tajikistan (in most runs);
# 2. if it joins, it keeps it (joining makes the difference).


# %%
def keeps(result: sim.RunResult, state: str = STATE, month: int | None = None) -> np.ndarray:
    """For each run: does Russia hold more of ``state`` than China at the end (or in ``month``)?"""
    if month is None:
        fin = [s["final_influence"] for s in result.summaries]
        return np.array([f["Russia"][state] > f["China"][state] for f in fin])
    df = result.influence
    at = df[(df["month"] == month) & (df["target"] == state)]
    wide = at.pivot_table(index="run", columns="patron", values="influence", observed=True)
    return (wide["Russia"] > wide["China"]).to_numpy()


def final_share(result: sim.RunResult, patron: str, state: str = STATE) -> np.ndarray:
    """For each run: the share of ``state`` that ``patron`` holds at the end."""
    return np.array([s["final_influence"][patron][state] for s in result.summaries])


rows = {}
for label, result in [("Russia stays out", base), ("Russia joins", joins)]:
    k = int(keeps(result).sum())
    lo, hi = wilson_interval(k, len(SEEDS))  # 95%: stays inside 0-1 even at 0/50
    overtakes = [s["overtake_month"][STATE] for s in result.summaries]
    months = [m for m in overtakes if m is not None]
    rows[label] = {
        "runs where Russia keeps it": f"{k}/{len(SEEDS)}",
        "share of runs (95% interval)": f"{k / len(SEEDS):.2f} ({lo:.2f}-{hi:.2f})",
        "Russia's final share (median)": np.median(final_share(result, "Russia")),
        "China's final share (median)": np.median(final_share(result, "China")),
        "China first ahead (median month)": np.median(months) if months else None,
    }
claims = pd.DataFrame(rows).T
claims

# %% [markdown]
# ### Exercise 3.2 · Compute a band: Uzbekistan
#
# Tajikistan is lopsided. Uzbekistan is lopsided at the end too, but not on the
# way there: around July 2024 (month 100) China is passing Russia, sooner in some
# runs than in others. Count the runs in which Russia still holds more of
# Uzbekistan than China in month 100 (`keeps(result, "Uzbekistan", month=100)`),
# staying out (`kept_out`) and joining (`kept_in`), and the 95% interval of each
# share of runs with `wilson_interval(k, n)` (`interval_out`, `interval_in`). Do
# the two intervals overlap (`overlap`: `True` or `False`)? If they do, fifty runs
# cannot tell the two worlds apart for Uzbekistan in that month.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
kept_out, interval_out = ..., ...
kept_in, interval_in = ..., ...
overlap = ...

# %% tags=["solution"]
kept_out = int(keeps(base, "Uzbekistan", month=100).sum())
kept_in = int(keeps(joins, "Uzbekistan", month=100).sum())
interval_out = wilson_interval(kept_out, len(SEEDS))
interval_in = wilson_interval(kept_in, len(SEEDS))
overlap = interval_out[0] <= interval_in[1] and interval_in[0] <= interval_out[1]
print(kept_out, interval_out, kept_in, interval_in, overlap)

# %% tags=["check"]
assert all(x is not ... for x in (kept_out, kept_in, interval_out, interval_in, overlap)), (
    "Exercise 3.2: replace every ... in the answer cell"
)
for label, result, k, interval in (
    ("staying out", base, kept_out, interval_out),
    ("joining", joins, kept_in, interval_in),
):
    true_k = int(keeps(result, "Uzbekistan", month=100).sum())
    assert k == true_k, (
        f"Exercise 3.2: {k} is not the number of runs in which Russia holds more of "
        f"Uzbekistan in month 100 {label}: sum keeps(result, 'Uzbekistan', month=100) over "
        f"the {len(SEEDS)} runs"
    )
    assert np.allclose(interval, wilson_interval(true_k, len(SEEDS))), (
        f"Exercise 3.2: the interval {label} is not the 95% Wilson interval of "
        f"{true_k} runs out of {len(SEEDS)}: use wilson_interval({true_k}, {len(SEEDS)})"
    )
apart = interval_out[1] < interval_in[0] or interval_in[1] < interval_out[0]
assert overlap is (not apart), (
    f"Exercise 3.2: compare the ends of {tuple(round(x, 3) for x in interval_out)} and "
    f"{tuple(round(x, 3) for x in interval_in)} again"
)
print(
    f"Right: in month 100 Russia still holds more of Uzbekistan in {kept_out}/{len(SEEDS)} "
    "runs staying out and "
    f"{kept_in}/{len(SEEDS)} joining; the intervals {'overlap' if overlap else 'do not overlap'}."
)

# %% [markdown]
# Because the runs are twins, the effect of joining can be read run by run: the
# change in Russia's final share of Tajikistan between twin runs.

# %%
effect = final_share(joins, "Russia") - final_share(base, "Russia")
print(f"change in Russia's final share from joining, over {len(effect)} twin runs:")
print(f"  median {np.median(effect):+.3f}, 5-95% of runs {np.quantile(effect, [0.05, 0.95])}")
print(f"  joining raised Russia's share in {(effect > 0).sum()} of {len(effect)} runs")

# %% [markdown]
# ### Exercise 3.3 · And China?
#
# Joining gives Russia a partner's share of the Quartet's bonus. What does that do
# to **China's** final share of Tajikistan? Predict first (`china_prediction`:
# `"rises"` or `"falls"` in most twin runs), then compute the change run by run,
# as above for Russia, as `china_effect` (an array of fifty numbers).

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
china_prediction = ...
china_effect = ...

# %% tags=["solution"]
china_prediction = "falls"  # shares are split in one contest: what Russia gains, others lose
china_effect = final_share(joins, "China") - final_share(base, "China")
print(f"median {np.median(china_effect):+.4f}; falls in {(china_effect < 0).sum()} runs")

# %% tags=["check"]
assert china_prediction is not ..., (
    "Exercise 3.3: replace the ... after china_prediction with 'rises' or 'falls'"
)
assert china_prediction in ("rises", "falls"), (
    f"Exercise 3.3: china_prediction is {china_prediction!r}; write 'rises' or 'falls'"
)
expected_effect = final_share(joins, "China") - final_share(base, "China")
assert np.shape(china_effect) == expected_effect.shape, (
    f"Exercise 3.3: china_effect should hold one number per twin pair ({len(SEEDS)}), "
    f"not {np.shape(china_effect)}"
)
assert np.allclose(china_effect, expected_effect), (
    "Exercise 3.3: china_effect is not the change in China's final share: subtract "
    "final_share(base, 'China') from final_share(joins, 'China')"
)
falls = int((expected_effect < 0).sum())
assert china_prediction == ("falls" if falls > len(SEEDS) / 2 else "rises"), (
    "Exercise 3.3: count the twin runs in which china_effect is negative"
)
print(f"Right: China's share falls in {falls} of {len(SEEDS)} twin runs when Russia joins.")

# %% [markdown]
# ## 4. What the model says
#
# The cell below reads the two proportions and states the verdict on each part
# of the claim. It is computed, not written in advance: change the scenario and
# the verdict follows.

# %%
p_out, p_in = keeps(base).mean(), keeps(joins).mean()
part1 = p_out < 0.5
part2 = p_in >= 0.5
print(f"Staying out, Russia keeps {STATE} in {p_out:.0%} of runs; joining, in {p_in:.0%}.")
print(
    "Part 1 (stay out -> lose it):",
    "supported" if part1 else "not supported: Russia keeps it without joining",
)
print(
    "Part 2 (join -> keep it):    ",
    "supported" if part2 else "not supported: joining does not save it",
)
if part1 and not part2:
    print(
        f"In this model Moscow loses {STATE} whether or not it joins: the warning's premise "
        "holds, but joining the Quartet is not the remedy."
    )
elif part1 and part2:
    print("In this model the expert is right on both counts: joining makes the difference.")
elif not part1:
    print("In this model the warning does not hold: Russia keeps it even without joining.")

# %% [markdown]
# ## 5. If not the Quartet, what?
#
# A model's value in class is the next question: which lever *does* move
# Tajikistan? Joining the Quartet changes a bloc bonus. The other lever in the
# article is Russia's attention, drawn to Ukraine and the Middle East. The variant
# `russia_refocuses.yaml` lifts the distraction and has Moscow spend a quarter more
# than its routine budget. Below, the four combinations, fifty runs each (the
# combination is the Quartet variant with the same two changes as overrides).

# %%
REFOCUS = ["events.russia_distracted.value=1.25", "patrons.Russia.attention=1.25"]
grid = {
    ("stays out", "distracted"): base,
    ("joins", "distracted"): joins,
    ("stays out", "refocused"): sim.run(BASE.parent / "russia_refocuses.yaml", seed=SEEDS),
    ("joins", "refocused"): sim.run(JOINS, seed=SEEDS, set=REFOCUS),
}
levers = pd.DataFrame(
    {
        "P(Russia keeps it)": {k: keeps(r).mean() for k, r in grid.items()},
        "Russia's final share": {k: np.median(final_share(r, "Russia")) for k, r in grid.items()},
    }
)
levers.index.names = ["Quartet", "attention"]
levers

# %% [markdown]
# Read the table by rows and columns: the difference down the *attention* column
# is what Moscow's focus buys; across the *Quartet* rows, what membership buys.
# Whichever is larger is the model's answer to "what would it take?", and a good
# question for the class: is that a finding about Central Asia, or about the
# numbers in the scenario file? Notebook 04 asks how the answer depends on them.
