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
from sim.plots import patron_colors
from sim.scenario import default_scenario_path

pd.set_option("display.width", 120)
pd.set_option("display.precision", 3)

BASE = default_scenario_path()
JOINS = BASE.parent / "russia_joins_quartet.yaml"
SEEDS = list(range(50))
STATE = "Tajikistan"
print(JOINS.read_text(encoding="utf-8"))

# %% [markdown]
# The variant `extends:` the article's file and adds one event: Russia joins the
# Quartet in the article's month. As a member, not a leader, its security spending
# in the Quartet's members earns a partner's share of the bloc's bonus. Nothing
# else changes.
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
# runs and the light band 90%. Left, the world as it went; right, with Russia in
# the Quartet. Where the red line climbs above the blue one, China has become the
# patron holding most of Tajikistan.


# %%
def bands(result: sim.RunResult, patron: str) -> pd.DataFrame:
    """Median, 25/75% and 5/95% quantiles of a patron's share of STATE, month by month."""
    frame = result.influence.query("target == @STATE and patron == @patron")
    q = frame.groupby("month")["influence"].quantile([0.05, 0.25, 0.5, 0.75, 0.95])
    return q.unstack()


colors = patron_colors(["China", "Russia"])
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for ax, (label, result) in zip(
    axes, [("Russia stays out", base), ("Russia joins", joins)], strict=True
):
    for patron in ("China", "Russia"):
        q = bands(result, patron)
        ax.fill_between(q.index, q[0.05], q[0.95], color=colors[patron], alpha=0.15, lw=0)
        ax.fill_between(q.index, q[0.25], q[0.75], color=colors[patron], alpha=0.3, lw=0)
        ax.plot(q.index, q[0.5], color=colors[patron], lw=2, label=patron)
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
# ## 3. The claim, made testable
#
# "Russia loses Tajikistan" needs a definition before it can be tested. Here:
# Russia **keeps** Tajikistan if, at the end of the run (February 2026), it holds
# a larger share of it than China does. The expert's claim then has two parts:
#
# 1. if Russia stays out, it loses Tajikistan (in most runs);
# 2. if it joins, it keeps it (joining makes the difference).


# %%
def keeps(result: sim.RunResult) -> np.ndarray:
    """For each run: does Russia hold more of STATE than China at the end?"""
    fin = [s["final_influence"] for s in result.summaries]
    return np.array([f["Russia"][STATE] > f["China"][STATE] for f in fin])


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson interval of a proportion k/n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def final_share(result: sim.RunResult, patron: str) -> np.ndarray:
    return np.array([s["final_influence"][patron][STATE] for s in result.summaries])


rows = {}
for label, result in [("Russia stays out", base), ("Russia joins", joins)]:
    k = int(keeps(result).sum())
    lo, hi = wilson(k, len(SEEDS))
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
# Because the runs are twins, the effect of joining can be read run by run: the
# change in Russia's final share of Tajikistan between twin runs.

# %%
effect = final_share(joins, "Russia") - final_share(base, "Russia")
print(f"change in Russia's final share from joining, over {len(effect)} twin runs:")
print(f"  median {np.median(effect):+.3f}, 5-95% of runs {np.quantile(effect, [0.05, 0.95])}")
print(f"  joining raised Russia's share in {(effect > 0).sum()} of {len(effect)} runs")

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
