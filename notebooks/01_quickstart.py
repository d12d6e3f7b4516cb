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
# The map draws each state's outline (Natural Earth), coloured by the patron that
# dominates it at the end and paler where that patron holds a smaller share; the
# great powers are hatched. Neighbours share a border, over which insecurity
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
# ## 7. Your turn: three exercises
#
# Each exercise has a cell for your answer (replace each `...`) and a **check**
# cell below it: run the check, and it either confirms your answer or tells you
# what to look at again. The checks compute the right answer from the model
# itself, so they stay right when the scenario changes.
#
# ### Exercise 1.1 · Read the figure
#
# Look at the influence figure of section 3 again. In which states does China's
# red line rise above Russia's blue line *during* the decade, rather than starting
# above it? Write them as a set of names, such as `{"Afghanistan", "Pakistan"}`.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace ... with a set of state names
won_during_the_run = ...

# %% tags=["solution"]
won_during_the_run = {state for state, month in s["overtake_month"].items() if month}
won_during_the_run

# %% tags=["check"]
assert won_during_the_run is not ..., (
    "Exercise 1.1: replace the ... in the answer cell with a set of state names"
)
answer = set(won_during_the_run)
strangers = answer - set(s["region"])
assert not strangers, (
    f"Exercise 1.1: {', '.join(sorted(map(str, strangers)))} is not one of the region's "
    f"states ({', '.join(s['region'])}); check the spelling against the panel titles"
)
for state in s["region"]:
    first = s["overtake_month"][state]
    if state in answer and first == 0:
        raise AssertionError(
            f"Exercise 1.1: in {state} China's line is above Russia's from the first month: "
            "China held it before the run began; it did not win it during the decade"
        )
    if state in answer and first is None:
        raise AssertionError(
            f"Exercise 1.1: in {state} China's line never rises above Russia's; "
            "look at that panel again"
        )
    if state not in answer and first:
        raise AssertionError(
            f"Exercise 1.1: look at {state}'s panel again: does the red line cross the blue one?"
        )
print("Right: China wins", ", ".join(sorted(answer)), "during the decade.")

# %% [markdown]
# ### Exercise 1.2 · Move a budget
#
# China's regional budget, 200 million dollars a month, is a calibration (a
# modelling choice, not a published figure). Suppose it were 300 million. Before
# you run anything, **predict**: will China first get ahead of Russia in
# Tajikistan *earlier* or *later* than in the run above? Write your prediction,
# then run the scenario with the same seed and the budget changed, exactly as
# `greatgame run --set` does:
# `sim.run(seed=1, set=["patrons.China.budget=300 m USD"])`.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace each ...
prediction = ...  # "earlier", "later" or "same"
richer = ...  # the run with China's budget at 300 m USD

# %% tags=["solution"]
prediction = "earlier"  # more money a month builds China's stocks faster
richer = sim.run(seed=1, set=["patrons.China.budget=300 m USD"])

# %% tags=["check"]
assert prediction is not ..., (
    "Exercise 1.2: replace the ... after prediction with 'earlier', 'later' or 'same'"
)
assert prediction in ("earlier", "later", "same"), (
    f"Exercise 1.2: prediction is {prediction!r}; write 'earlier', 'later' or 'same'"
)
assert isinstance(richer, sim.RunResult), (
    "Exercise 1.2: richer should be what sim.run(...) returns, with the budget override"
)
budget = richer.scenario.usd(richer.scenario.patrons["China"].budget)
assert budget == 300, (
    f"Exercise 1.2: China's budget in your run is {budget:g} m USD a month; "
    "pass set=['patrons.China.budget=300 m USD'] to sim.run"
)
assert richer.seeds == [1], (
    f"Exercise 1.2: your run uses seed {richer.seeds}; use seed=1 as in section 2, "
    "so that the budget is the only difference"
)
before = s["overtake_month"]["Tajikistan"]
after = richer.summary["overtake_month"]["Tajikistan"]
never = richer.summary["months"]  # a month after the end of the run
moved = (after if after is not None else never) - (before if before is not None else never)
actual = "earlier" if moved < 0 else "later" if moved > 0 else "same"
assert prediction == actual, (
    f"Exercise 1.2: your prediction '{prediction}' is not what the model does: compare "
    "richer.summary['overtake_month']['Tajikistan'] with s['overtake_month']['Tajikistan'], "
    "and think about what a larger budget does to China's stocks"
)
print(f"Right: China first gets ahead in Tajikistan in month {after} instead of {before}.")

# %% [markdown]
# ### Exercise 1.3 · How much would Kazakhstan cost?
#
# In the article's scenario China never gets ahead of Russia in Kazakhstan. Try
# China's budget at 250, 300, 350, ... up to 800 million dollars a month (seed 1),
# and find the **smallest** of these budgets with which China gets ahead of Russia
# in Kazakhstan during the run. Write it as `kazakh_budget` (a number, in millions
# of dollars; `None` if none of these budgets is enough). A loop over
# `range(250, 801, 50)` does it.

# %% tags=["answer"]
# YOUR ANSWER HERE: replace ... with a number (or None)
kazakh_budget = ...

# %% tags=["solution"]
kazakh_budget = None
for amount in range(250, 801, 50):
    trial = sim.run(seed=1, set=[f"patrons.China.budget={amount} m USD"])
    if trial.summary["overtake_month"]["Kazakhstan"]:
        kazakh_budget = amount
        break
kazakh_budget

# %% tags=["check"]
assert kazakh_budget is not ..., "Exercise 1.3: replace the ... in the answer cell with a number"
first_ahead = {
    amount: sim.run(seed=1, set=[f"patrons.China.budget={amount} m USD"]).summary["overtake_month"][
        "Kazakhstan"
    ]
    for amount in range(250, 801, 50)
}
enough = [amount for amount, month in first_ahead.items() if month]
if kazakh_budget is not None:
    assert kazakh_budget in first_ahead, (
        f"Exercise 1.3: {kazakh_budget!r} is not one of the budgets to try (250, 300, ..., 800)"
    )
    assert first_ahead[kazakh_budget], (
        f"Exercise 1.3: with {kazakh_budget} m USD a month China does not get ahead in "
        "Kazakhstan during the run; try larger budgets"
    )
    assert kazakh_budget == enough[0], (
        f"Exercise 1.3: {kazakh_budget} m USD is enough, but a smaller budget in the list is "
        "enough too; try them in increasing order and stop at the first"
    )
    print(
        f"Right: {kazakh_budget} m USD a month ({kazakh_budget / 200:.2g} times the scenario's) "
        f"puts China ahead in Kazakhstan in month {first_ahead[kazakh_budget]}."
    )
else:
    assert not enough, (
        "Exercise 1.3: some budget in the list is enough; look at "
        "summary['overtake_month']['Kazakhstan'] of each run"
    )
    print("Right: none of these budgets puts China ahead in Kazakhstan.")

# %% [markdown]
# Why does Kazakhstan cost so much more than Tajikistan? Compare their GDPs
# (`scenario.actors["Kazakhstan"].gdp`): the contest for influence divides each
# patron's spending by the size of the state it courts.
#
# ## 8. The live dashboard
#
# The same model runs in a dashboard: in a terminal, `greatgame app` serves it on
# http://127.0.0.1:8765; here, the cell below displays it (in Jupyter, with the
# widgets front end). Move a control (China's aid to Kabul, Russia's attention,
# the contest's decisiveness, the alignment rule, the seed), press **Reset** to
# apply it, then **Step** or **▶**.

# %%
from sim.app import dashboard

dashboard()
