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
bars = indices_bar(indices, title=f"Sobol indices of {METRIC}")

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
