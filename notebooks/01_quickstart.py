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
# # 01 · Quick start: the article's Central Asia in ten minutes
#
# In March 2016 an article, *China presses Russia in Central Asia*, described
# China building a security "Quartet" with Afghanistan, Pakistan and Tajikistan,
# pledging military aid to Kabul and investing across the region, while Russia
# leaned on political levers with its attention drawn to Ukraine and the Middle
# East. `greatgame` turns that situation into an agent-based model (Mesa): states
# that patrons court with investment, security aid and political leverage; blocs
# (the CSTO, the Quartet, the SCO, the Eurasian Union) that states join and leave.
#
# This notebook loads the article's scenario, runs ten simulated years, plots
# who gains influence where, and reads the summary. Every number it prints is
# computed here, so it stays true when the model or the scenario changes.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import sim

pd.set_option("display.width", 120)
pd.set_option("display.precision", 3)

# %% [markdown]
# ## 1. Load the scenario
#
# `sim.load()` with no argument reads `scenarios/central_asia_2016.yaml`, the
# article's world. It is validated into typed objects: a misspelt key or a
# negative budget is refused with one sentence saying where and what.

# %%
scenario = sim.load()
print(scenario.name, "-", scenario.description.strip())
print(f"starts {scenario.start}, runs {scenario.months} months")
print("states: ", ", ".join(scenario.actors))
print("patrons:", ", ".join(scenario.patrons))
print(
    "blocs:  ", ", ".join(f"{b} (led by {', '.join(x.leaders)})" for b, x in scenario.blocs.items())
)

# %% [markdown]
# ## 2. Run it
#
# `sim.run` advances the model month by month. A *seed* fixes the random parts
# (bloc decisions are stochastic, and Afghanistan takes random shocks): the same
# seed always gives the same run.

# %%
result = sim.run(scenario, seed=1)
print(f"{result.summary['months']} months simulated, to {result.summary['date']}")

# %% [markdown]
# ## 3. Influence over time
#
# Each panel is one state; each line, the share of that state a patron holds (0
# to 1). What nobody holds is the state's own autonomy. China is red and Russia
# blue in every figure of the project. Look for the panels where the red line
# crosses the blue one: those are the states China wins over during the decade.

# %%
figures = result.figures()  # a dict of matplotlib figures: influence, membership, map
plt.close("all")  # shown one at a time below, not all at once
figures["influence"]

# %% [markdown]
# ## 4. Read the summary
#
# The summary holds the key figures of the run: the dominant patron of each
# state at the end, the month China first got ahead of Russia there, and the
# blocs' members. The table below gathers them per state.

# %%
s = result.summary
challenger, incumbent = s["rivalry"]
table = pd.DataFrame(
    {
        "dominant at the end": pd.Series(s["dominant"]),
        f"{challenger} share": pd.Series(s["final_influence"][challenger]),
        f"{incumbent} share": pd.Series(s["final_influence"][incumbent]),
        f"{challenger} first ahead (month)": pd.Series(s["overtake_month"], dtype="Int64"),
    }
).loc[s["region"]]
table

# %% [markdown]
# The same facts as sentences. A state where China was ahead from month 0 was
# already China's when the article was written (the model starts from the
# investment stocks of early 2016); a later month is a state won during the run.

# %%
for state in s["region"]:
    m = s["overtake_month"][state]
    who = s["dominant"][state] or "nobody"
    if m is None:
        print(f"{state}: {challenger} never got ahead of {incumbent}; {who} dominates at the end.")
    elif m == 0:
        print(f"{state}: {challenger} was ahead from the start; {who} dominates at the end.")
    else:
        print(f"{state}: {challenger} first got ahead in month {m}; {who} dominates at the end.")

# %% [markdown]
# ## 5. The map and the blocs
#
# The map puts each state at its capital, coloured by the patron that dominates
# it at the end and sized by GDP; lines are land borders, over which insecurity
# spills. The membership timeline shows who sat in which bloc, month by month.

# %%
figures["map"]

# %%
figures["membership"]

# %%
for bloc, members in s["bloc_members"].items():
    print(f"{bloc}: {', '.join(members)}")

# %% [markdown]
# ## 6. The data behind the figures
#
# Everything is also a tidy pandas frame (one row per observation), ready for
# your own plots: `result.influence` (patron, target, month, share, stocks,
# flows), `result.states` and `result.memberships`. Here, Tajikistan once a year.

# %%
taj = result.influence.query("target == 'Tajikistan' and month % 12 == 11")
taj.pivot_table(index="date", columns="patron", values="influence", observed=True)

# %% [markdown]
# `result.save("out/my_run")` writes the same files as `greatgame run`: the time
# series as Parquet and CSV, `summary.json` and the PNG figures.
#
# ## 7. The live dashboard
#
# The same model runs in a dashboard: in a terminal, `greatgame app` serves it on
# http://127.0.0.1:8765; here, the cell below displays it (in Jupyter, with the
# widgets front end). Move a control (China's aid to Kabul, Russia's attention,
# the contest's decisiveness, the alignment rule, the seed), press **Reset** to
# apply it, then **Step** or **▶**.

# %%
from sim.app import dashboard

dashboard()
