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
# # 05 · Build your own region: exercises
#
# Two exercises, each with a cell for your answer and a **check** cell that tests
# it. Until you solve an exercise, its check cell fails and says what is missing:
# that is the point. (The teacher's copy of this notebook also holds solution
# cells; `make student-notebooks` writes copies without them.)
#
# 1. Write a scenario for another region, as a YAML file, and run it.
# 2. Write a new alignment rule (how a state weighs a bloc), register it, and use
#    it on the article's scenario.
#
# Your files live in the folder `my_region/` beside this notebook. Nothing in
# this notebook deletes or overwrites them: close it, come back next week, and
# your region is still there.

# %%
from pathlib import Path
from typing import ClassVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim
from sim.rules import ALIGNMENT_RULES, AlignmentRule, BlocView

WORK = Path("my_region")  # beside this notebook: Jupyter runs a notebook in its own folder
WORK.mkdir(exist_ok=True)
MY_REGION = WORK / "my_region.yaml"
if MY_REGION.exists():
    print(f"your scenario: {MY_REGION.resolve()} (found from last time, kept as it is)")
else:
    print(f"write your scenario to {MY_REGION.resolve()}")

# %% [markdown]
# ## Exercise 5.1 · A region of your own
#
# Write a scenario file `MY_REGION` for a small region (a fictional one is fine;
# a real one needs sources for its figures) with:
#
# - two patrons, each leading a bloc, and at least three other states;
# - land borders between neighbours;
# - at least one `aid` event;
# - a story in which the **challenger** (the first patron of `rivalry:`) gets
#   ahead of the incumbent in at least one state *during* the run (not from the
#   start).
#
# Start from the skeleton below, or from `scenarios/central_asia_2016.yaml`;
# `greatgame schema` prints every key with its meaning. Money is written
# `"200 m USD"`; a patron's `budget` is per month; `allocation` splits it across
# targets and instruments (`investment`, `security`, `leverage`); `stocks` are what
# it already holds at the start; a state's `autonomy` is the share no patron can
# buy (0.03 is a weak state, 1.0 a great power).
#
# ```yaml
# name: my_region
# start: "2020-01"
# months: 120
# rivalry: [Challenger, Incumbent]
# actors:
#   Incumbent: {gdp: 900 bn USD, population: 80, location: [50.0, 30.0], autonomy: 1.0}
#   ...
# borders:
#   - [Incumbent, StateA]
# patrons:
#   Incumbent: {budget: 20 m USD, allocation: {StateA: {security: 0.5}}, stocks: {...}}
# blocs:
#   Pact: {kind: security, leaders: [Incumbent], members: [Incumbent, StateA]}
# events:
#   a_loan: {type: aid, patron: Challenger, target: StateA, instrument: investment,
#            amount: 200 m USD, from: 12, to: 23}
# ```
#
# Write the file with an editor (in JupyterLab: *File > New > Text File*, saved as
# `my_region/my_region.yaml`), or from Python in the cell below with
# `MY_REGION.write_text("""...""")`; then run the check.

# %% tags=["answer"]
# YOUR ANSWER HERE: write your scenario to MY_REGION (my_region/my_region.yaml),
# with an editor or with MY_REGION.write_text("""...""", encoding="utf-8")

# %% tags=["solution"]
TEACHERS_REGION = """
# A fictional region: three valley states between two patrons.
name: three_valleys
description: Northland, the old patron, and Southland, a rising one, court three valleys.
start: "2020-01"
months: 120
seed: 7
rivalry: [Southland, Northland]   # the challenger, then the incumbent
actors:
  Northland: {gdp: 900 bn USD, population: 80, location: [50.0, 30.0], autonomy: 1.0}
  Southland: {gdp: 2000 bn USD, population: 300, location: [30.0, 32.0], autonomy: 1.0}
  Aria: {gdp: 20 bn USD, population: 5, location: [42.0, 28.0], autonomy: 0.03,
         alignment_rule: bandwagoning}
  Bela: {gdp: 10 bn USD, population: 3, location: [41.0, 32.0], autonomy: 0.03,
         alignment_rule: hedging}
  Cora: {gdp: 40 bn USD, population: 9, location: [40.0, 36.0], autonomy: 0.05,
         alignment_rule: balancing}
borders:
  - [Northland, Aria]
  - [Aria, Bela]
  - [Bela, Cora]
  - [Southland, Cora]
  - [Southland, Bela]
patrons:
  Northland:                      # the incumbent: security and political ties
    budget: 20 m USD
    strategy: fixed
    allocation:
      Aria: {security: 0.3, leverage: 0.2}
      Bela: {security: 0.2, leverage: 0.1}
      Cora: {leverage: 0.2}
    stocks:
      Aria: {security: 300, leverage: 400}
      Bela: {security: 200, leverage: 300}
      Cora: {leverage: 300}
  Southland:                      # the challenger: twice the budget, all in investment
    budget: 40 m USD
    strategy: adaptive
    allocation:
      Aria: {investment: 0.3}
      Bela: {investment: 0.3}
      Cora: {investment: 0.4}
    stocks:
      Cora: {investment: 500}
blocs:
  North Pact:
    kind: security
    leaders: [Northland]
    members: [Northland, Aria, Bela]
    boost: {security: 0.5}
    guarantee: 0.3
    cost: 0.02
  Southern Forum:
    kind: economic
    leaders: [Southland]
    members: [Southland, Cora]
    boost: {investment: 0.3}
    economic_benefit: 0.05
    cost: 0.02
events:
  southland_loan:                 # a year of loans to the smallest valley
    type: aid
    patron: Southland
    target: Bela
    instrument: investment
    amount: 200 m USD
    from: 12
    to: 23
"""
if MY_REGION.exists():  # never write over a region already there
    print(f"{MY_REGION} already exists: kept as it is (delete it to write the example again)")
else:
    MY_REGION.write_text(TEACHERS_REGION, encoding="utf-8")
    print("wrote", MY_REGION)

# %% tags=["check"]
assert MY_REGION.is_file(), (
    f"Exercise 5.1: there is no {MY_REGION} yet: write your scenario there (see the skeleton above)"
)
try:
    region = sim.load(MY_REGION)
except sim.InputError as problem:
    raise AssertionError(f"Exercise 5.1: your scenario does not load: {problem}") from None
patrons = list(region.patrons)
others = [a for a in region.actors if a not in region.patrons]
leaders = {leader for bloc in region.blocs.values() for leader in bloc.leaders}
assert len(patrons) >= 2, f"Exercise 5.1: expected two patrons, found {patrons}"
assert len(others) >= 3, f"Exercise 5.1: expected at least three other states, found {others}"
assert set(patrons[:2]) <= leaders, (
    f"Exercise 5.1: each of the two patrons should lead a bloc; the blocs' leaders are "
    f"{sorted(leaders)}"
)
assert region.borders, "Exercise 5.1: the region needs land borders (borders: [[A, B], ...])"
assert any(e.type == "aid" for e in region.events.values()), (
    "Exercise 5.1: add at least one event with type: aid"
)
mine = sim.run(MY_REGION, seed=1)
challenger, incumbent = mine.summary["rivalry"]
won = {s: m for s, m in mine.summary["overtake_month"].items() if m}  # month 0 and never: no
assert won, (
    f"Exercise 5.1: {challenger} never gets ahead of {incumbent} during the run (or is ahead "
    "from the start): change the story, e.g. the budgets, the stocks or the aid"
)
print(
    f"{challenger} gets ahead of {incumbent} in",
    ", ".join(f"{s} (month {m})" for s, m in won.items()),
)
figures = mine.figures()
plt.close("all")  # show one figure, not all three
figures["influence"]

# %% [markdown]
# Look at your region the way notebook 01 looked at the article's. Which of your
# numbers decided the story? Change one (a budget, an autonomy, the aid) and run
# again: does the challenger still win, and when?

# %% [markdown]
# ## Exercise 5.2 · A new alignment rule
#
# Every state follows an *alignment rule* that turns the great powers' influence
# over it into the value of joining a bloc (`greatgame rules` lists the three the
# project ships: balancing, bandwagoning, hedging). A rule is a small class: its
# `power_term(view)` receives what the state sees of each bloc, arrays shaped
# (runs, states, blocs): `view.side`, how far the bloc leans toward the powers
# that hold the state (positive: toward the stronger side; 0 for a bloc every
# power co-leads, like the SCO), and `view.spread_change`, how much belonging to
# the bloc widens the state's exposure to the powers. It returns the influence
# part of the bloc's utility: a bandwagoner's is `view.side`, a balancer's
# `-view.side`, a hedger's `-view.spread_change`.
#
# Write the rule **`neutralist`**, after Turkmenistan's permanent neutrality:
# *a bloc is worth less the further it leans toward either side*, whichever side
# holds the state, since joining takes sides. Its utility term is minus the size
# of the lean, `-abs(view.side)`. Register it in `ALIGNMENT_RULES` under its
# name, then run the article's scenario with every state following it (the
# override `parameters.alignment_rule=neutralist`) and keep the result in
# `neutral`.

# %% tags=["answer"]
# YOUR ANSWER HERE: write class Neutralist(AlignmentRule) with name = "neutralist" and
# its power_term, register it with ALIGNMENT_RULES["neutralist"] = Neutralist, then
neutral = ...  # sim.run(seed=1, set=["parameters.alignment_rule=neutralist"])


# %% tags=["solution"]
class Neutralist(AlignmentRule):
    """Take no side: a bloc is worth less the further it leans toward either side of the
    powers that hold the state (after Turkmenistan's permanent neutrality, UN GA 1995).

    Utility term: ``-abs(side)``.
    """

    name = "neutralist"
    reference = "Exercise after Turkmenistan's permanent neutrality (UN GA resolution, 1995)"
    classifier: ClassVar[dict[str, object]] = {"stance": "neutral", "uses_influence": True}

    def power_term(self, view):
        return -np.abs(view.side)


ALIGNMENT_RULES[Neutralist.name] = Neutralist
neutral = sim.run(seed=1, set=["parameters.alignment_rule=neutralist"])

# %% tags=["check"]
assert "neutralist" in ALIGNMENT_RULES, (
    "Exercise 5.2: no rule named 'neutralist' is registered: ALIGNMENT_RULES['neutralist'] = "
    "Neutralist, after the class"
)
rule_class = ALIGNMENT_RULES["neutralist"]
assert isinstance(rule_class, type) and issubclass(rule_class, AlignmentRule), (
    "Exercise 5.2: register a subclass of sim.rules.AlignmentRule (the class, not an instance)"
)
rule = rule_class()
side = np.array([[[0.3, 0.0, -0.3]]])  # one run, one state, three blocs: leaning +, none, -
view = BlocView(side=side, spread_change=np.zeros_like(side))
term = np.asarray(rule.power_term(view))
assert term.shape == side.shape, (
    f"Exercise 5.2: power_term must return one value per (run, state, bloc), shape {side.shape}; "
    f"yours has shape {term.shape}"
)
assert term[0, 0, 1] > term[0, 0, 0] and term[0, 0, 1] > term[0, 0, 2], (
    "Exercise 5.2: a bloc that leans toward nobody should be worth more than one that leans "
    "either way: power_term should fall as abs(view.side) rises"
)
assert neutral is not ..., (
    "Exercise 5.2: replace the ... with the run: "
    "sim.run(seed=1, set=['parameters.alignment_rule=neutralist'])"
)
rules_used = {state.rule.name for state in neutral.model.states}
assert rules_used == {"neutralist"}, (
    f"Exercise 5.2: every state of the run should follow 'neutralist'; they follow {rules_used}"
)
print("neutralist is registered and every state of the run follows it")

# %% [markdown]
# Now the question for the class: with every state a neutralist, do the blocs
# hold together? The cell below counts, for each rule, how many (state, bloc)
# memberships the region's states hold at the end, averaged over twenty seeds.
# Before running it, predict the order of the four rules, and why.

# %%
counts = {}
for name in sorted(ALIGNMENT_RULES):
    runs = sim.run(seed=list(range(20)), set=[f"parameters.alignment_rule={name}"])
    region_states = set(runs.summary["region"])
    held = [
        sum(len(region_states.intersection(m)) for m in s["bloc_members"].values())
        for s in runs.summaries
    ]
    counts[name] = {"memberships at the end (mean)": np.mean(held), "min": min(held)}
pd.DataFrame(counts).T

# %% [markdown]
# If a rule surprises you, look at one state: `neutral.model.state("Uzbekistan")`
# is its Mesa agent, with its `rule`, its `memberships()` and its
# `bloc_utilities()` (what each bloc is worth to it now). Then try the dashboard
# (`greatgame app`): its *alignment rule* control lists every registered rule,
# yours included when you run the dashboard from this notebook with
# `sim.app.dashboard()`.
#
# Your scenario stays in `my_region/`. From a terminal in this notebook's folder,
# `greatgame run my_region/my_region.yaml` runs it and `greatgame app
# my_region/my_region.yaml` serves it in the dashboard.
