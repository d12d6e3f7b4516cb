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
import re

import matplotlib.pyplot as plt
import pandas as pd

import sim
from sim.plots import patron_colors
from sim.scenario import Money, default_scenario_path

pd.set_option("display.width", 140)
pd.set_option("display.max_colwidth", 90)

PATH = default_scenario_path()
TEXT = PATH.read_text(encoding="utf-8")
LINES = TEXT.splitlines()
scenario = sim.load(PATH)


def block(*keys: str) -> str:
    """The file's text under a key path (``"events", "china_aid_kabul"``), comments included."""
    start, end, child = 0, len(LINES), 0  # child: the indentation of keys inside the block
    for key in keys:
        for i in range(start, end):
            stripped = LINES[i].lstrip()
            if len(LINES[i]) - len(stripped) == child and stripped.startswith(f"{key}:"):
                start = i
                break
        else:
            raise KeyError(f"{'.'.join(keys)} is not in {PATH.name}")
        end = start + 1
        while end < len(LINES):
            line = LINES[end]
            if line.strip() and len(line) - len(line.lstrip()) <= child:
                break
            end += 1
        inner = [x for x in LINES[start + 1 : end] if x.strip() and not x.lstrip().startswith("#")]
        child = len(inner[0]) - len(inner[0].lstrip()) if inner else child + 2
    return "\n".join(LINES[start:end]).rstrip()


print("\n".join(LINES[:12]))

# %% [markdown]
# ## 1. The situation in one paragraph
#
# The article's headline is its rivalry: China *presses* Russia. The scenario
# says so in two places: a description in words, and the `rivalry` the
# summaries compare (the challenger first, then the incumbent).

# %%
print(block("description"))
print(block("rivalry"))
print(block("start"))
print(block("months"))

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
print(block("actors", "China"))
print(block("actors", "Afghanistan"))
print(block("actors", "Tajikistan"))

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
print(block("blocs", "QCCM"))
print(block("blocs", "CSTO"))

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
print(block("patrons", "Pakistan"))
print(block("parameters", "half_life"))

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
print(block("events", "china_aid_kabul"))
print(block("events", "russia_distracted"))

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
runs = {
    "300 m CNY (the article)": sim.run(PATH, seed=1),
    "73 m USD (other reports)": sim.run(
        PATH, seed=1, set=["events.china_aid_kabul.amount=73 m USD"]
    ),
}
rows = {}
for label, r in runs.items():
    afg = r.influence.query("target == 'Afghanistan' and patron == 'China'").set_index("month")
    rows[label] = {"month 11": afg.loc[11, "influence"], "month 119": afg.loc[119, "influence"]}
compare = pd.DataFrame(rows).T
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
# ## 6. Data or choice? Every commented number in the file
#
# The table lists every line of the file that sets a value and carries a
# comment, with its key path. A comment citing a source (World Bank WDI, SIPRI,
# KNOMAD, FMS, a confidence in brackets) marks **data**; the word *calibration*
# marks a **modelling choice**, a claim about how the world works that you may
# dispute and change. The last cell counts them.


# %%
def commented_values() -> pd.DataFrame:
    """Key path, value and comment of every commented line that sets a value."""
    rows, stack = [], []  # stack: (indent, key) of the enclosing mappings
    pattern = re.compile(r"^(\s*)(?:- )?([\w .'-]+):\s*(.*?)\s*#\s*(.*)$")
    for line in LINES:
        m = pattern.match(line)
        bare = re.match(r"^(\s*)([\w .'-]+):\s*(?:#.*)?$", line)
        if bare:  # a mapping opens: remember its key
            depth = len(bare.group(1))
            stack = [(d, k) for d, k in stack if d < depth] + [(depth, bare.group(2))]
        if not m or not m.group(3):
            continue
        depth = len(m.group(1))
        parents = [k for d, k in stack if d < depth]
        kind = (
            "calibration"
            if "calibration" in m.group(4)
            else "data"
            if re.search(
                r"\[(high|medium|low)\]|WDI|SIPRI|World Bank|KNOMAD|FMS|PBoC|CBR", m.group(4)
            )
            else "note"
        )
        rows.append(
            {
                "key": ".".join([*parents, m.group(2)]),
                "value": m.group(3),
                "kind": kind,
                "comment": m.group(4),
            }
        )
    return pd.DataFrame(rows)


values = commented_values()
values[values["kind"] != "note"]

# %%
print(values["kind"].value_counts().to_string())
print()
print("A few modelling choices to argue about:")
for _, row in values[values["kind"] == "calibration"].head(6).iterrows():
    print(f"  {row['key']} = {row['value']}: {row['comment']}")

# %% [markdown]
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
