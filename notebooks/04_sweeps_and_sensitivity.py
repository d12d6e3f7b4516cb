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
# # 04 · Sweeps and sensitivity: which numbers decide the story?
#
# Notebook 03 ran fifty seeds of one scenario: that measures the model's own
# randomness, with every number in the scenario file held fixed. But many of
# those numbers are *calibration*, modelling choices (notebook 02 counted them).
# A conclusion that flips when a calibrated number moves within its plausible
# range is a conclusion about the calibration, not about Central Asia.
#
# A **sweep** runs the scenario over a design of parameter values, with
# replicates at each point. This notebook runs a small grid (China's budget
# against Russia's attention) drawn as a heatmap, then a variance-based
# sensitivity analysis (Sobol indices) over four parameters at once.
#
# The outcome throughout: **China's share of Tajikistan at the end of the run**
# (February 2026), the state the article's expert worried about.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.sweep import sweep
from sim.sweep.plots import indices_bar

pd.set_option("display.width", 120)
pd.set_option("display.precision", 3)

WORKDIR = tempfile.TemporaryDirectory(prefix="greatgame-sweeps-")
OUT = Path(WORKDIR.name)
METRIC = "final_influence.China.Tajikistan"
BUDGET = "patrons.China.budget"  # US$ million a month; the scenario says 200
ATTENTION = "events.russia_distracted.value"  # Russia's attention, 2016-2019; the scenario: 0.6

# %% [markdown]
# ## 1. A grid: China's budget against Russia's attention
#
# Five values of China's monthly regional budget (the scenario's 200 million
# dollars is a calibration) times five values of Russia's attention while
# distracted by Ukraine and Syria (the scenario's 0.6 is one too), four replicates
# (seeds) at each point: 100 runs of ten years. A sweep takes the same key paths
# as `greatgame run --set`, and runs its points together as ensembles of the
# model, so it takes seconds. Its results land in a directory of Parquet files;
# `res.summary` reads them as one row per run.

# %%
grid = sweep(
    None,  # the article's scenario
    {BUDGET: [100, 150, 200, 250, 300], ATTENTION: [0.4, 0.6, 0.8, 1.0, 1.2]},
    replicates=4,
    record="final",
    out=OUT / "grid",
    executor="serial",  # small sweeps: no process start-up; big ones: workers=N
    progress=False,
)
print(grid)
grid.summary[["run", BUDGET, ATTENTION, "replicate", METRIC, "dominant.Tajikistan"]].head()

# %% [markdown]
# The heatmap averages the outcome over the replicates at each point: columns
# are China's budget, rows Russia's attention. Bright cells are worlds where China
# ends up holding more of Tajikistan.

# %%
heat = grid.heatmap(METRIC, by=[BUDGET, ATTENTION])

# %% [markdown]
# The same grid as a table, and the question the heatmap answers: in how many of
# the 25 worlds does China end up the dominant patron of Tajikistan?

# %%
s = grid.summary
table = s.pivot_table(index=ATTENTION, columns=BUDGET, values=METRIC, aggfunc="mean")
china_holds = (s["dominant.Tajikistan"] == "China").groupby([s[BUDGET], s[ATTENTION]]).mean()
print(f"China dominates Tajikistan in {(china_holds > 0.5).sum()} of {len(china_holds)} points")
cells = table.stack()
for word, at in (("lowest", cells.idxmin()), ("highest", cells.idxmax())):
    print(
        f"China's share is {word} ({cells[at]:.2f}) with a budget of {at[1]:g} and "
        f"Russian attention {at[0]:g}"
    )
table

# %% [markdown]
# Read along a row (Russia's attention fixed) to see what China's money buys, and
# down a column to see what Russia's attention buys. If the colours change more
# along rows than down columns, China's budget matters more than Russia's focus
# over this range; the Sobol analysis below makes that comparison a number.
#
# ### Exercise 4.1 · Which lever moves Tajikistan more?
#
# From `table` (rows: Russia's attention; columns: China's budget; cells: China's
# mean final share of Tajikistan), compute:
#
# - `budget_gain`: the change from a budget of 100 to 300, at attention 0.6 (the
#   scenario's), i.e. along that row;
# - `attention_gain`: the change from attention 0.4 to 1.2, at a budget of 200 (the
#   scenario's), i.e. down that column;
# - `bigger_lever`: `"budget"` or `"attention"`, whichever change is larger in size.
#
# `table.loc[attention, budget]` reads one cell.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
budget_gain = ...
attention_gain = ...
bigger_lever = ...

# %% tags=["solution"]
budget_gain = table.loc[0.6, 300] - table.loc[0.6, 100]
attention_gain = table.loc[1.2, 200] - table.loc[0.4, 200]
bigger_lever = "budget" if abs(budget_gain) > abs(attention_gain) else "attention"
print(f"budget {budget_gain:+.3f}, attention {attention_gain:+.3f}: {bigger_lever}")

# %% tags=["check"]
assert all(x is not ... for x in (budget_gain, attention_gain, bigger_lever)), (
    "Exercise 4.1: replace every ... in the answer cell"
)
along_row = table.loc[0.6, 300] - table.loc[0.6, 100]
down_column = table.loc[1.2, 200] - table.loc[0.4, 200]
assert np.isclose(budget_gain, along_row), (
    "Exercise 4.1: budget_gain should be the row of attention 0.6, budget 300 minus budget "
    "100: table.loc[0.6, 300] - table.loc[0.6, 100]"
)
assert np.isclose(attention_gain, down_column), (
    "Exercise 4.1: attention_gain should be the column of budget 200, attention 1.2 minus "
    "attention 0.4 (mind the order: table.loc[attention, budget])"
)
assert bigger_lever == ("budget" if abs(along_row) > abs(down_column) else "attention"), (
    "Exercise 4.1: compare the sizes, abs(budget_gain) and abs(attention_gain), again"
)
print(f"Right: over these ranges the {bigger_lever} moves China's share of Tajikistan more.")

# %% [markdown]
# ## 2. Sensitivity: Sobol indices
#
# A grid shows two parameters; a sensitivity analysis ranks many at once. The
# Sobol method samples all parameters together over ranges you choose (a
# quasi-random design, here 128 base samples, so 768 runs), then splits the
# variance of the outcome:
#
# - **S1**, the first-order index: the share of the outcome's variance that one
#   parameter explains *alone*;
# - **ST**, the total index: its share including its interactions with the others.
#
# An ST near zero means the outcome does not care about that parameter over that
# range; ST well above S1 means the parameter acts through interactions. The
# ranges below are claims too: each spans what the scenario file's comments allow.

# %%
RANGES = {
    BUDGET: "uniform(100,300)",  # US$ million a month
    ATTENTION: "uniform(0.3,1.2)",  # share of Russia's routine effort, 2016-2019
    "parameters.decisiveness": "uniform(0.5,2)",  # the contest's r (1 = Tullock lottery)
    "events.china_aid_kabul.amount": "uniform(0,250)",  # US$ million (the pledge: ~46-73)
}
sobol = sweep(
    None,
    RANGES,
    design="sobol",
    samples=128,
    record="final",
    out=OUT / "sobol",
    executor="serial",
    progress=False,
)
indices = sobol.sobol(METRIC)
indices

# %%
bars = indices_bar(indices)  # labelled in words: "China's regional influence (GDP-weighted)"

# %% [markdown]
# The error bars are 95% confidence intervals from bootstrapping the design: a
# wide bar says "more samples needed", not "this parameter matters". The cell
# below names the parameters that matter, computed from the table.

# %%
ranked = indices.sort_values("ST", ascending=False)
for _, row in ranked.iterrows():
    verdict = "matters" if row["ST"] - row["ST_conf"] > 0.05 else "hardly matters"
    print(
        f"{row['parameter']}: ST = {row['ST']:.2f} +/- {row['ST_conf']:.2f}, "
        f"S1 = {row['S1']:.2f} -> {verdict} over its range"
    )
top = ranked.iloc[0]["parameter"]
print(f"\nThe outcome depends most on {top}.")

# %% [markdown]
# ### Exercise 4.2 · Read the indices
#
# From `indices` (or the bars above): which parameter has the largest total index
# ST (`most_important`)? Which acts most through interactions with the others,
# that is, has the largest gap ST - S1 (`most_interacting`)? Write each as the
# parameter's key path, as in the table's `parameter` column.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ... with a key path such as "parameters.decisiveness"
most_important = ...
most_interacting = ...

# %% tags=["solution"]
most_important = indices.loc[indices["ST"].idxmax(), "parameter"]
most_interacting = indices.loc[(indices["ST"] - indices["S1"]).idxmax(), "parameter"]
print(most_important, "|", most_interacting)

# %% tags=["check"]
assert most_important is not ... and most_interacting is not ..., (
    "Exercise 4.2: replace each ... in the answer cell with a parameter's key path"
)
names = list(indices["parameter"])
for answer in (most_important, most_interacting):
    assert answer in names, (
        f"Exercise 4.2: {answer!r} is not one of the parameters analysed: {', '.join(names)}"
    )
by_total = indices.set_index("parameter")["ST"]
by_gap = indices.set_index("parameter").eval("ST - S1")
assert by_total[most_important] == by_total.max(), (
    f"Exercise 4.2: {most_important} has ST = {by_total[most_important]:.2f}; another "
    "parameter's total index is larger: look at the longest ST bar"
)
assert by_gap[most_interacting] == by_gap.max(), (
    f"Exercise 4.2: {most_interacting} has ST - S1 = {by_gap[most_interacting]:.2f}; "
    "another parameter's gap is larger: compute ST - S1 for each row"
)
print(f"Right: {most_important} matters most; {most_interacting} acts most through others.")

# %% [markdown]
# ### Exercise 4.3 · Predict, then sweep: decisiveness
#
# The contest's decisiveness *r* says how much a lead in effort counts: at r = 1 a
# patron's share is proportional to its effort (the Tullock lottery); as r grows,
# the patron that spends most takes more and more of the state. **Predict**: as r
# goes from 0.5 to 4, does China's mean final share of Tajikistan rise or fall
# (`decisive_prediction`)? Then run a sweep of `parameters.decisiveness` over
# `[0.5, 1, 2, 4]` with 4 replicates, as the grid above (`record="final"`,
# `executor="serial"`, `out=OUT / "decisiveness"`), and keep it in `decisive`.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
decisive_prediction = ...  # "rises" or "falls"
decisive = ...  # sweep(None, {"parameters.decisiveness": [...]}, ...)

# %% tags=["solution"]
decisive_prediction = "rises"  # China outspends Russia in Tajikistan: a decisive contest rewards it
decisive = sweep(
    None,
    {"parameters.decisiveness": [0.5, 1, 2, 4]},
    replicates=4,
    record="final",
    out=OUT / "decisiveness",
    executor="serial",
    progress=False,
)

# %% tags=["check"]
assert decisive_prediction is not ..., (
    "Exercise 4.3: replace the ... after decisive_prediction with 'rises' or 'falls'"
)
assert decisive_prediction in ("rises", "falls"), (
    f"Exercise 4.3: decisive_prediction is {decisive_prediction!r}; write 'rises' or 'falls'"
)
assert "parameters.decisiveness" in getattr(decisive, "param_keys", []), (
    "Exercise 4.3: decisive should be the result of sweep(...) over 'parameters.decisiveness'"
)
by_r = decisive.summary.groupby("parameters.decisiveness")[METRIC].mean()
assert sorted(by_r.index) == [0.5, 1, 2, 4], (
    f"Exercise 4.3: your sweep tries r = {sorted(by_r.index)}; use [0.5, 1, 2, 4]"
)
actual = "rises" if by_r[4] > by_r[0.5] else "falls"
assert decisive_prediction == actual, (
    "Exercise 4.3: not what the model does: compare China's mean share at r = 0.5 and r = 4, "
    f"decisive.summary.groupby('parameters.decisiveness')['{METRIC}'].mean()"
)
print(f"Right: China's mean final share of Tajikistan {actual} with r:")
by_r.round(3)

# %% [markdown]
# ## 3. What sensitivity means for an argument
#
# If the top parameter is a *calibration*, the model's answer to "who holds
# Tajikistan in 2026" is mostly an answer about that number. That is not a flaw
# to hide but the model's most useful output for a class: it says which fact,
# if we knew it better, would settle the argument. Questions to discuss:
#
# - Is the range chosen for the top parameter defensible? What evidence would
#   narrow it?
# - A parameter with ST near zero can be left at its default for this question,
#   and only this one: rerun the analysis with another `METRIC`, such as
#   `bloc_size.QCCM` or `regional_index.Russia.gdp_weighted`, and the ranking may
#   change.
# - The Sobol analysis averages over the four ranges; the grid above shows one
#   slice. Do they tell the same story?
#
# From the command line, the same sweep and analysis are `greatgame sweep` and
# `greatgame analyze`; `greatgame sweep --help` shows how.

# %%
plt.close("all")
WORKDIR.cleanup()
