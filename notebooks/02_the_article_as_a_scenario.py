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
# # 02 · The article as a scenario
#
# A model is only as good as the reading of the situation it encodes. This
# notebook puts the article's sentences beside the YAML that encodes them, says
# what each number means, and where it came from.
#
# The scenario file, `scenarios/central_asia_2016.yaml`, is written to be read:
# every element carries, as a comment, the sentence of the article it encodes
# (quoted words are the article's; paraphrases are marked `article:`), and every
# figure its source with a confidence in brackets, or the word *calibration* when
# it is a modelling choice rather than data. Below, the cells print the file's own
# text, so what you read is exactly what the model reads.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim
from sim.plots import patron_colors
from sim.scenario import Money, default_scenario_path
from sim.scenario_text import commented_values, excerpt

pd.set_option("display.width", 140)
pd.set_option("display.max_colwidth", 90)

PATH = default_scenario_path()
scenario = sim.load(PATH)
# the file's opening comment: how to read it
print("\n".join(PATH.read_text(encoding="utf-8").splitlines()[:12]))

# %% [markdown]
# `excerpt(PATH, "events.china_aid_kabul")` prints the file's own lines under a key
# path (written as in `greatgame run --set`), comments included.
#
# ## 1. The situation in one paragraph
#
# The article's headline is its rivalry: China *presses* Russia. The scenario
# says so in two places: a description in words, and the `rivalry` the
# summaries compare (the challenger first, then the incumbent).

# %%
print(excerpt(PATH, "description"))
print(excerpt(PATH, "rivalry"))
print(excerpt(PATH, "start"))
print(excerpt(PATH, "months"))

# %% [markdown]
# ## 2. The states
#
# Every country is a *state* with a GDP, a population, a threat level (0 to 1)
# and an *autonomy*: the share of it that no outside power captures. GDP matters
# because the model divides a patron's spending by the target's GDP: the same
# million dollars weighs far more in Kabul than in Astana.
#
# Three states carry the article's argument. China's Xinjiang concern sets where
# China sits on the map and why Afghanistan matters to it; Afghanistan's
# insurgency is the reason for China's aid; Tajikistan is in the Russian-led CSTO
# and in the Chinese-led Quartet at once, and depends on remittances from
# migrants working in Russia.

# %%
print(excerpt(PATH, "actors.China"))
print(excerpt(PATH, "actors.Afghanistan"))
print(excerpt(PATH, "actors.Tajikistan"))

# %% [markdown]
# What these numbers mean, computed from the loaded scenario: each state's GDP in
# US$ billion (the file may give it in any currency; it is converted at the
# scenario's `rates`), its autonomy, its starting threat, and its alignment rule
# (balancing, bandwagoning or hedging; `greatgame rules` explains them).

# %%
states = pd.DataFrame(
    {
        "GDP (US$ bn)": {a: scenario.usd(x.gdp) / 1000 for a, x in scenario.actors.items()},
        "autonomy": {a: x.autonomy for a, x in scenario.actors.items()},
        "threat at start": {a: x.threat for a, x in scenario.actors.items()},
        "alignment rule": {a: x.alignment_rule for a, x in scenario.actors.items()},
    }
)
states.round(3)

# %% [markdown]
# ## 3. The blocs
#
# The article's new element is the Quartet (formalised in August 2016 as the
# Quadrilateral Cooperation and Coordination Mechanism, QCCM), built by China
# "as an alternative" to the Russian-led CSTO. The file encodes "alternative" as
# `rivals: [CSTO]`: states that follow a balancing or bandwagoning rule dislike
# sitting in both, and a bloc's leaders refuse states that sit in its rival.

# %%
print(excerpt(PATH, "blocs.QCCM"))
print(excerpt(PATH, "blocs.CSTO"))

# %% [markdown]
# ## 4. The patrons and their instruments
#
# A *patron* spends a monthly budget on three instruments: **investment**
# (plants, mines, pipelines: the article's Afghan projects and Tajik gold),
# **security** (aid, training, bases: Russia's 201st base in Tajikistan) and
# **leverage** (political capital: elite ties, unions, migration regimes). Each
# instrument is a stock that decays with a half-life. China adapts its spending
# toward where a dollar buys most influence; Russia "plays the levers it has"
# (a fixed allocation); Pakistan's stock is its sway over the Taliban.

# %%
print(excerpt(PATH, "patrons.Pakistan"))
print(excerpt(PATH, "parameters.half_life"))

# %%
budget = pd.DataFrame(
    {
        "monthly budget (US$ m)": {p: scenario.usd(x.budget) for p, x in scenario.patrons.items()},
        "attention": {p: x.attention for p, x in scenario.patrons.items()},
        "strategy": {p: x.strategy for p, x in scenario.patrons.items()},
    }
)
budget

# %% [markdown]
# ## 5. The events: China's aid to Kabul and Russia's distraction
#
# Two sentences of the article become scheduled events. China's pledge to Kabul,
# in the article's words 300 million yuan "to strengthen the armed forces and
# police", is security aid spread over the first year. Russia's attention, drawn
# to Ukraine and the Middle East, scales its regional budget down for three years.

# %%
print(excerpt(PATH, "events.china_aid_kabul"))
print(excerpt(PATH, "events.russia_distracted"))

# %% [markdown]
# **What the 300 million yuan means.** The amount is written in yuan, as the
# article gives it; the model converts it at the scenario's rate. The comment
# notes that other reports give about US$73 million. Either way it is a small sum
# in dollars, but not against Afghanistan's GDP, which is what the contest
# compares it with.

# %%
aid = scenario.events["china_aid_kabul"]
afghan_gdp = scenario.usd(scenario.actors["Afghanistan"].gdp)
in_usd = scenario.usd(aid.amount)
other = scenario.usd(Money(73, "USD"))
print(f"rate: {scenario.rates['CNY']} yuan per US dollar")
print(f"{aid.amount} = US$ {in_usd:.1f} million = {in_usd / afghan_gdp:.2%} of Afghan GDP")
print(f"other reports: US$ {other:.0f} million = {other / afghan_gdp:.2%} of Afghan GDP")

# %% [markdown]
# Does the uncertainty about the amount matter? Run the scenario both ways (the
# second with an override, exactly as `greatgame run --set` does) and compare
# China's share of Afghanistan at the end of the aid year and at the end of the run.
# The aid is one flow among many (China also invests in Afghanistan, and Pakistan
# holds its own sway), so the answer is not obvious before you run it.


# %%
def share(result: sim.RunResult, patron: str, target: str, month: int) -> float:
    """A patron's share of a target in a month (0 = the scenario's start), in run 0."""
    rows = result.influence.query("run == 0 and patron == @patron and target == @target")
    return float(rows.loc[rows["month"] == month, "influence"].iloc[0])


runs = {
    "300 m CNY (the article)": sim.run(PATH, seed=1),
    "73 m USD (other reports)": sim.run(
        PATH, seed=1, set=["events.china_aid_kabul.amount=73 m USD"]
    ),
}
compare = pd.DataFrame(
    {
        label: {m: share(r, "China", "Afghanistan", m) for m in (11, 119)}
        for label, r in runs.items()
    }
).T.rename(columns={11: "month 11", 119: "month 119"})
fig, ax = plt.subplots(figsize=(8, 3.2))
for (label, r), style in zip(runs.items(), ["-", "--"], strict=True):
    afg = r.influence.query("target == 'Afghanistan' and patron == 'China'")
    ax.plot(
        afg["month"], afg["influence"], style, color=patron_colors(["China"])["China"], label=label
    )
ax.axvspan(0, 11, color="#dddddd", label="the aid year")
ax.set_xlabel("month (0 = March 2016)")
ax.set_ylabel("China's share of Afghanistan")
ax.set_ylim(0, 1)
ax.legend(frameon=False, loc="lower right")
ax.grid(alpha=0.3)
gap = compare.iloc[1] - compare.iloc[0]
print(
    f"Taking the larger figure moves China's share of Afghanistan by {gap['month 11']:+.3f} "
    f"after the aid year and by {gap['month 119']:+.3f} after ten years (shares run 0 to 1)."
)
compare.round(3)

# %% [markdown]
# ### Exercise 2.1 · Triple the pledge
#
# Suppose China had pledged three times as much: 900 million yuan. Run the
# article's scenario with `events.china_aid_kabul.amount=900 m CNY` (seed 1, as
# above) and compute, with `share(...)`, how much China's share of Afghanistan
# changes against the article's run (`runs["300 m CNY (the article)"]`):
#
# - `after_aid_year`: the change in month 11, the aid's last month;
# - `after_ten_years`: the change in month 119, the run's last month;
# - `fades`: `True` if the change after ten years is smaller (in size) than after
#   the aid year. The aid is security aid, a stock that halves every
#   `parameters.half_life.security` months when no new aid comes.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
after_aid_year = ...
after_ten_years = ...
fades = ...  # True or False

# %% tags=["solution"]
tripled = sim.run(PATH, seed=1, set=["events.china_aid_kabul.amount=900 m CNY"])
article = runs["300 m CNY (the article)"]
after_aid_year = share(tripled, "China", "Afghanistan", 11) - share(
    article, "China", "Afghanistan", 11
)
after_ten_years = share(tripled, "China", "Afghanistan", 119) - share(
    article, "China", "Afghanistan", 119
)
fades = abs(after_ten_years) < abs(after_aid_year)
print(f"{after_aid_year:+.4f} after the aid year, {after_ten_years:+.4f} after ten years")

# %% tags=["check"]
assert after_aid_year is not ... and after_ten_years is not ..., (
    "Exercise 2.1: replace the ... in the answer cell with the two changes (numbers)"
)
more = sim.run(PATH, seed=1, set=["events.china_aid_kabul.amount=900 m CNY"])
base = sim.run(PATH, seed=1)
expected = {
    m: share(more, "China", "Afghanistan", m) - share(base, "China", "Afghanistan", m)
    for m in (11, 119)
}
for month, yours in ((11, after_aid_year), (119, after_ten_years)):
    right = np.isclose(yours, expected[month], rtol=1e-6, atol=1e-9)
    if not right and np.isclose(yours, -expected[month], rtol=1e-6, atol=1e-9):
        raise AssertionError(
            f"Exercise 2.1: your change in month {month} has the wrong sign: subtract the "
            "article's share from the tripled pledge's, in that order"
        )
    assert np.isclose(yours, expected[month], rtol=1e-6, atol=1e-9), (
        f"Exercise 2.1: your change in month {month} ({yours:+.4f}) is not the model's: use "
        f"seed 1 in both runs and share(run, 'China', 'Afghanistan', {month})"
    )
assert fades in (True, False), "Exercise 2.1: fades should be True or False"
assert fades == (abs(expected[119]) < abs(expected[11])), (
    "Exercise 2.1: compare abs(after_ten_years) with abs(after_aid_year) again"
)
print(
    f"Right: tripling the pledge moves China's share of Afghanistan by {expected[11]:+.3f} "
    f"after the aid year and by {expected[119]:+.3f} after ten years."
)

# %% [markdown]
# ## 6. Data or choice? Every commented number in the file
#
# The table lists every line of the file that sets a value and carries a
# comment, with its key path (`commented_values(PATH)` reads them from the file).
# A comment citing a source (World Bank WDI, SIPRI, KNOMAD, FMS, a confidence in
# brackets) marks **data**; the word *calibration* marks a **modelling choice**, a
# claim about how the world works that you may dispute and change. The last cell
# counts them.


# %%
values = commented_values(PATH)
values[values["kind"] != "note"]

# %%
print(values["kind"].value_counts().to_string())
print()
print("A few modelling choices to argue about:")
for _, row in values[values["kind"] == "calibration"].head(6).iterrows():
    print(f"  {row['key']} = {row['value']}: {row['comment']}")

# %% [markdown]
# ### Exercise 2.2 · A calibration that decides: Afghanistan's autonomy
#
# The file gives Afghanistan an autonomy of 0.02 (*calibration: a weak state,
# easily held*): the share of it no outside power can capture. Suppose Kabul
# were five times harder to buy: autonomy 0.1. **Predict** first: does China's
# share of Afghanistan at the end of the run rise or fall? Then run it (seed 1,
# `actors.Afghanistan.autonomy=0.1`) and keep the result in `autonomous`.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
autonomy_prediction = ...  # "rises" or "falls"
autonomous = ...  # sim.run(...) with Afghanistan's autonomy at 0.1

# %% tags=["solution"]
autonomy_prediction = "falls"  # what no patron can capture, China cannot hold either
autonomous = sim.run(PATH, seed=1, set=["actors.Afghanistan.autonomy=0.1"])

# %% tags=["check"]
assert autonomy_prediction is not ..., (
    "Exercise 2.2: replace the ... after autonomy_prediction with 'rises' or 'falls'"
)
assert autonomy_prediction in ("rises", "falls"), (
    f"Exercise 2.2: autonomy_prediction is {autonomy_prediction!r}; write 'rises' or 'falls'"
)
assert isinstance(autonomous, sim.RunResult), (
    "Exercise 2.2: autonomous should be what sim.run(...) returns"
)
got = autonomous.scenario.actors["Afghanistan"].autonomy
assert got == 0.1 and autonomous.seeds == [1], (
    f"Exercise 2.2: your run has Afghanistan's autonomy at {got} and seeds {autonomous.seeds}; "
    "use seed=1 and set=['actors.Afghanistan.autonomy=0.1']"
)
base_final = runs["300 m CNY (the article)"].summary["final_influence"]["China"]["Afghanistan"]
new_final = autonomous.summary["final_influence"]["China"]["Afghanistan"]
assert autonomy_prediction == ("rises" if new_final > base_final else "falls"), (
    "Exercise 2.2: not what the model does: compare "
    "autonomous.summary['final_influence']['China']['Afghanistan'] with the article's run, "
    "and think about where the share of a state that no patron holds goes"
)
print(f"Right: China's final share of Afghanistan goes from {base_final:.3f} to {new_final:.3f}.")

# %% [markdown]
# ### Exercise 2.3 · Russia's remittance lever
#
# Tajikistan's remittances from Russia are 28.8% of its GDP: *data* (World
# Bank/KNOMAD, medium confidence). How much they count in the contest is a
# *calibration*, `actors.Tajikistan.dependencies.Russia.weight`, set to 0.1 because
# the model's specification warns that unweighted they would swamp every other
# channel. Set it to 0.5 and find the month in which China first gets ahead of
# Russia in Tajikistan (`remittance_month`, from `summary["overtake_month"]`;
# `None` if it never does), and whether that is earlier or later than in the
# article's run (`remittance_prediction`: `"earlier"`, `"later"` or `"same"`).

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
remittance_month = ...
remittance_prediction = ...

# %% tags=["solution"]
heavier = sim.run(PATH, seed=1, set=["actors.Tajikistan.dependencies.Russia.weight=0.5"])
remittance_month = heavier.summary["overtake_month"]["Tajikistan"]
remittance_prediction = "later"  # Russia's lever counts more, so China needs longer
remittance_month

# %% tags=["check"]
assert remittance_month is not ... and remittance_prediction is not ..., (
    "Exercise 2.3: replace the ... in the answer cell with a month (or None) and a word"
)
weighted = sim.run(PATH, seed=1, set=["actors.Tajikistan.dependencies.Russia.weight=0.5"])
month_now = weighted.summary["overtake_month"]["Tajikistan"]
month_before = runs["300 m CNY (the article)"].summary["overtake_month"]["Tajikistan"]
assert remittance_month == month_now, (
    f"Exercise 2.3: {remittance_month!r} is not the month China first gets ahead in Tajikistan "
    "with the weight at 0.5: read summary['overtake_month']['Tajikistan'] of a run with "
    "seed=1 and set=['actors.Tajikistan.dependencies.Russia.weight=0.5']"
)
end = weighted.summary["months"]  # "never" counts as after the end
delay = (month_now if month_now is not None else end) - (
    month_before if month_before is not None else end
)
assert remittance_prediction == ("earlier" if delay < 0 else "later" if delay > 0 else "same"), (
    f"Exercise 2.3: compare month {month_now} with the article's run, "
    "runs['300 m CNY (the article)'].summary['overtake_month']['Tajikistan']"
)
print(f"Right: China first gets ahead in Tajikistan in month {month_now}, not {month_before}.")

# %% [markdown]
# One calibrated weight moves the article's crux by months. Which of the numbers
# in the table above would you want measured before believing the model's date?
#
# ## 7. Variants: the same file, one thing changed
#
# A counterfactual is a small file that `extends:` the article's scenario and
# changes one element. Notebook 03 runs the first of these against the base case.

# %%
for variant in sorted(PATH.parent.glob("*.yaml")):
    if variant == PATH:
        continue
    head = [
        line for line in variant.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    print(f"{variant.name}:")
    print("\n".join("    " + line for line in head[:3]))
