"""Face validity: the article's scenario against its variants over many seeds (greatgame report).

Runs the base scenario (the article's) and every variant beside it in ``scenarios/``
as ensembles of the same seeds, and writes a one-page comparison (Markdown with PNG
figures and CSV tables): how each variant moves Chinese and Russian influence in
each state, and the alignments (bloc sizes, predicted landscape camps), with bands.

Reading the numbers:

* *Levels* are per-seed means (over the ten years, or at the last month) summarised
  over seeds by their mean and 5-95% band (percentiles across seeds).
* *Changes* are paired by seed: run ``r`` of a variant and run ``r`` of the base draw
  the same random numbers (common random numbers), so ``variant - base`` per seed
  isolates the variant's effect; a band that excludes 0 is a systematic effect.
* *Checks* are the directions MODEL.md implies (the same ones ``tests/test_report.py``
  asserts), each with its window and the reason for it.

Example:
    >>> from sim.report import run_variants, write_report
    >>> results = run_variants(seeds=range(50))          # doctest: +SKIP
    >>> write_report(results, "out/report")              # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import __version__
from sim.alignment import CAMP
from sim.errors import InputError
from sim.scenario import AidEvent, Scenario, default_scenario_path

__all__ = [
    "BAND",
    "Check",
    "VariantResult",
    "band",
    "checks",
    "discover_variants",
    "paired_change",
    "run_variants",
    "write_report",
]

BAND = (5.0, 95.0)
"""Percentiles across seeds drawn as bands."""

NEGLIGIBLE = 1e-3
"""A mean change of influence share below this counts as no change (a tenth of a point)."""


# --------------------------------------------------------------------------- running


@dataclass
class VariantResult:
    """One scenario's ensemble over the report's seeds, as arrays (monthly records).

    Attributes:
        name: The scenario's name.
        path: Its file.
        scenario: The validated scenario.
        seeds: The seeds, run ``r`` has ``seeds[r]``.
        actors, patrons, blocs: Names along the N, P and B axes.
        region: The contested states (not leading any bloc).
        rivalry: (challenger, incumbent) or None.
        influence: ``(T, R, P, N)`` shares.
        member: ``(T, R, N, B)`` memberships.
        camp: ``(T, R, N)`` predicted camps (1 = challenger's), or None without a landscape.
    """

    name: str
    path: Path
    scenario: Scenario
    seeds: list[int]
    actors: list[str]
    patrons: list[str]
    blocs: list[str]
    region: list[str]
    rivalry: tuple[str, str] | None
    influence: np.ndarray
    member: np.ndarray
    camp: np.ndarray | None = field(default=None)

    def influence_of(self, patron: str, state: str) -> np.ndarray:
        """``(T, R)`` the patron's share of the state."""
        return np.asarray(
            self.influence[:, :, self.patrons.index(patron), self.actors.index(state)]
        )

    @property
    def months(self) -> int:
        return int(self.influence.shape[0])


def discover_variants(base: str | Path | None = None) -> list[Path]:
    """The base scenario first, then every other ``*.yaml`` beside it, by name."""
    base_path = Path(base) if base is not None else default_scenario_path()
    if not base_path.is_file():
        raise InputError(f"{base_path}: no such scenario file; expected a .yaml file")
    others = sorted(
        p for p in base_path.parent.glob("*.yaml") if p.resolve() != base_path.resolve()
    )
    return [base_path, *others]


def run_variants(
    paths: Sequence[str | Path] | None = None,
    *,
    seeds: Iterable[int] = range(50),
    months: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[VariantResult]:
    """Run each scenario as an ensemble over ``seeds`` (the first is the base).

    Args:
        paths: Scenario files, the base first (default: :func:`discover_variants`).
        seeds: The seeds, the same for every scenario (paired comparisons).
        months: Months to run (default: each scenario's own).
        progress: Called with each scenario's name before it runs.

    Raises:
        InputError: fewer than 2 seeds, a bad scenario file, or scenarios whose actors differ
            from the base's.
    """
    from sim import api  # the API runs ensembles; imported here to keep imports light

    seed_list = [int(s) for s in seeds]
    if len(seed_list) < 2:
        raise InputError(f"--seeds must be at least 2 to draw bands, got {len(seed_list)}")
    files = [Path(p) for p in paths] if paths is not None else discover_variants()
    results: list[VariantResult] = []
    for path in files:
        sc = api.load(path)
        if progress is not None:
            progress(sc.name)
        res = api.run(sc, seed=seed_list, months=months, record="monthly")
        rec, w = res.model.records, res.model.world
        if results and w.actors != results[0].actors:
            raise InputError(
                f"{path}: actors {w.actors} differ from the base's {results[0].actors}; "
                "expected variants of the same region"
            )
        results.append(
            VariantResult(
                name=sc.name,
                path=path,
                scenario=res.scenario,
                seeds=seed_list,
                actors=list(w.actors),
                patrons=list(w.patrons),
                blocs=list(w.blocs),
                region=list(w.region),
                rivalry=w.rivalry,
                influence=rec.influence[: rec.n_recorded].copy(),
                member=rec.member[: rec.n_recorded].copy(),
                camp=rec.extra[CAMP][: rec.n_recorded].copy() if CAMP in rec.extra else None,
            )
        )
    return results


# --------------------------------------------------------------------------- statistics


def band(per_seed: np.ndarray) -> tuple[float, float, float]:
    """Mean and 5-95% band of per-seed values (last axis: seeds)."""
    lo, hi = np.percentile(per_seed, BAND, axis=-1)
    return float(np.mean(per_seed)), float(lo), float(hi)


def _window(months: int, window: range | None) -> range:
    return window if window is not None else range(months)


def paired_change(
    base: VariantResult,
    variant: VariantResult,
    patron: str,
    state: str,
    window: range | None = None,
) -> np.ndarray:
    """Per-seed change of the patron's mean share of the state over ``window`` (variant - base).

    Args:
        base, variant: Results over the same seeds.
        patron, state: Names.
        window: Months averaged (default: all).

    Returns:
        ``(R,)`` one change per seed.
    """
    if base.seeds != variant.seeds:
        raise InputError("paired changes need the same seeds in both ensembles")
    months = list(_window(min(base.months, variant.months), window))
    a = variant.influence_of(patron, state)[months].mean(axis=0)
    b = base.influence_of(patron, state)[months].mean(axis=0)
    return np.asarray(a - b)


@dataclass(frozen=True)
class Check:
    """A direction MODEL.md implies, measured on the ensembles.

    Attributes:
        claim: The direction, as a sentence.
        window: The months it is measured over, and why.
        measured: The paired mean change with its 5-95% band, as text.
        holds: Whether the measurement agrees with the claim.
    """

    claim: str
    window: str
    measured: str
    holds: bool


def _fmt(mean: float, lo: float, hi: float, digits: int = 3) -> str:
    return f"{mean:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


def aid_window(sc: Scenario, event: str = "china_aid_kabul") -> range:
    """Months the aid acts: its own months plus one half-life of the instrument's stock.

    After one half-life more than half of the aid's stock has decayed, and China's
    adaptive allocation has begun to move money toward Afghanistan where its marginal
    influence per dollar is now higher, which closes the gap the aid opened.
    """
    ev = sc.events[event]
    if not isinstance(ev, AidEvent):
        raise InputError(f"events.{event} is a {ev.type} event; expected an aid event")
    end = ev.start if ev.end is None else ev.end
    half_life = getattr(sc.parameters.half_life, ev.instrument)
    return range(ev.start, min(sc.months, int(end + round(half_life)) + 1))


def _security_channel(sc: Scenario, patron: str, state: str) -> bool:
    pat = sc.patrons[patron]
    stock = pat.stocks.get(state)
    alloc = pat.allocation.get(state)
    return bool((stock is not None and stock.security.amount > 0) or (alloc and alloc.security > 0))


def checks(results: Sequence[VariantResult]) -> list[Check]:
    """The MODEL.md directions the variants imply, measured (variants absent are skipped)."""
    by_name = {r.name: r for r in results}
    base = results[0]
    out: list[Check] = []
    nca = by_name.get("no_chinese_aid")
    if nca is not None and "china_aid_kabul" in base.scenario.events:
        win = aid_window(base.scenario)
        d = paired_change(base, nca, "China", "Afghanistan", win)
        m = band(d)
        out.append(
            Check(
                "no Chinese aid lowers China's influence in Afghanistan",
                f"months {win.start}-{win.stop - 1}: the aid's year plus one security half-life",
                _fmt(*m),
                m[0] < 0,
            )
        )
    rjq = by_name.get("russia_joins_quartet")
    if rjq is not None and "QCCM" in base.blocs:
        q = base.blocs.index("QCCM")
        members = [
            a for n, a in enumerate(base.actors) if base.member[0, 0, n, q] and a in base.region
        ]
        for state in members:
            m = band(paired_change(base, rjq, "Russia", state))
            if _security_channel(base.scenario, "Russia", state):
                claim = f"Russia joining the Quartet raises its influence over {state}"
                holds = m[0] > 0
            else:  # the Quartet's boost multiplies security stocks, and Russia has none there
                claim = (
                    f"Russia joining the Quartet leaves its influence over {state} unchanged "
                    "(no Russian security stock or spending there for the bloc's boost to "
                    "multiply)"
                )
                holds = abs(m[0]) < NEGLIGIBLE
            out.append(Check(claim, "the ten years", _fmt(*m), holds))
    ref = by_name.get("russia_refocuses")
    if ref is not None:
        for state in ("Tajikistan", "Kyrgyzstan", "Kazakhstan"):
            if state in base.actors:
                m = band(paired_change(base, ref, "Russia", state))
                out.append(
                    Check(
                        f"Russia refocusing raises its influence over {state}",
                        "the ten years",
                        _fmt(*m),
                        m[0] > 0,
                    )
                )
    qe = by_name.get("quartet_expands")
    if qe is not None and "QCCM" in base.blocs:
        invited = set(qe.scenario.blocs["QCCM"].invited) - set(base.scenario.blocs["QCCM"].invited)
        others = [n for n, a in enumerate(base.actors) if a not in invited]
        T = min(base.months, qe.months)
        same = np.array_equal(base.member[:T, :, others], qe.member[:T, :, others])
        q = base.blocs.index("QCCM")
        joined = {
            a: float(qe.member[T - 1, :, base.actors.index(a), q].mean()) for a in sorted(invited)
        }
        out.append(
            Check(
                "the Quartet's invitation changes nothing for non-invited states' memberships",
                "every month, every seed (paired)",
                "identical" if same else "some differ",
                same,
            )
        )
        out.append(
            Check(
                "invited states may join the Quartet (share of seeds in it at the end)",
                "the last month",
                ", ".join(f"{a} {v:.0%}" for a, v in joined.items()),
                True,
            )
        )
    return out


# --------------------------------------------------------------------------- tables


def influence_table(results: Sequence[VariantResult], patrons: Sequence[str]) -> pd.DataFrame:
    """Tidy: variant, patron, state, statistic (ten-year mean / final), mean, lo, hi, change..."""
    base = results[0]
    rows: list[dict[str, Any]] = []
    for res in results:
        for p in patrons:
            if p not in res.patrons:
                continue
            for state in res.region:
                series = res.influence_of(p, state)
                ref = base.influence_of(p, state)
                for stat, per_seed, base_seed in (
                    ("ten-year mean", series.mean(axis=0), ref.mean(axis=0)),
                    ("final", series[-1], ref[-1]),
                ):
                    mean, lo, hi = band(per_seed)
                    dm, dlo, dhi = band(per_seed - base_seed)
                    rows.append(
                        {
                            "variant": res.name,
                            "patron": p,
                            "state": state,
                            "statistic": stat,
                            "mean": mean,
                            "lo": lo,
                            "hi": hi,
                            "change": dm,
                            "change_lo": dlo,
                            "change_hi": dhi,
                        }
                    )
    return pd.DataFrame(rows)


def alignment_tables(results: Sequence[VariantResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bloc sizes at the end (mean and band) and the share of seeds in the challenger's camp."""
    blocs: list[dict[str, Any]] = []
    camps: list[dict[str, Any]] = []
    for res in results:
        for j, b in enumerate(res.blocs):
            mean, lo, hi = band(res.member[-1, :, :, j].sum(axis=1).astype(float))
            blocs.append({"variant": res.name, "bloc": b, "mean": mean, "lo": lo, "hi": hi})
        if res.camp is None:
            continue
        for n, a in enumerate(res.actors):
            camps.append(
                {
                    "variant": res.name,
                    "state": a,
                    "challenger_camp_final": float(res.camp[-1, :, n].mean()),
                    "challenger_camp_mean": float(res.camp[:, :, n].mean()),
                }
            )
    return pd.DataFrame(blocs), pd.DataFrame(camps)


# --------------------------------------------------------------------------- figures


def _influence_figure(table: pd.DataFrame, results: Sequence[VariantResult]) -> Figure:
    import matplotlib.pyplot as plt

    from sim.plots import patron_colors

    df = table[table["statistic"] == "ten-year mean"]
    states = list(dict.fromkeys(df["state"]))
    variants = [r.name for r in results]
    patrons = list(dict.fromkeys(df["patron"]))
    colors = patron_colors(patrons)
    ncols = min(4, len(states))
    nrows = int(np.ceil(len(states) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.3 * ncols, 2.6 * nrows + 0.8), sharey=True, squeeze=False
    )
    x = np.arange(len(variants))
    for ax, state in zip(axes.ravel(), states, strict=False):
        for k, p in enumerate(patrons):
            sub = df[(df["state"] == state) & (df["patron"] == p)].set_index("variant")
            sub = sub.reindex(variants)
            off = (k - (len(patrons) - 1) / 2) * 0.18
            ax.errorbar(
                x + off,
                sub["mean"],
                yerr=[sub["mean"] - sub["lo"], sub["hi"] - sub["mean"]],
                fmt="o",
                ms=4,
                color=colors[p],
                capsize=2,
                label=p,
            )
            ax.axhline(sub["mean"].iloc[0], color=colors[p], lw=0.6, ls="--", alpha=0.6)
        ax.set_title(state, fontsize=10)
        ax.set_xticks(x, [v.replace("_", "\n") for v in variants], fontsize=6)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(states) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("influence share")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", ncol=len(labels), frameon=False)
    fig.suptitle(
        "Ten-year mean influence by variant (mean over seeds, 5-95% band; dashed: base)",
        x=0.01,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def _change_figure(table: pd.DataFrame, results: Sequence[VariantResult]) -> Figure:
    import matplotlib.pyplot as plt

    df = table[(table["statistic"] == "ten-year mean")]
    variants = [r.name for r in results[1:]]
    patrons = list(dict.fromkeys(df["patron"]))
    states = list(dict.fromkeys(df["state"]))
    height = (0.45 * len(variants) + 1.2) * len(patrons) + 0.6
    fig, axes = plt.subplots(
        len(patrons), 1, figsize=(1.1 * len(states) + 2.5, height), squeeze=False
    )
    vmax = max(float(df[df["variant"].isin(variants)]["change"].abs().max()), 1e-6)
    for ax, p in zip(axes[:, 0], patrons, strict=True):
        sub = df[(df["patron"] == p) & df["variant"].isin(variants)]
        grid = sub.pivot(index="variant", columns="state", values="change").reindex(
            index=variants, columns=states
        )
        lo = sub.pivot(index="variant", columns="state", values="change_lo").reindex(
            index=variants, columns=states
        )
        hi = sub.pivot(index="variant", columns="state", values="change_hi").reindex(
            index=variants, columns=states
        )
        ax.imshow(grid.to_numpy(), cmap="PuOr", vmin=-vmax, vmax=vmax, aspect="auto")
        for i in range(len(variants)):
            for j in range(len(states)):
                v = grid.iat[i, j]
                sig = lo.iat[i, j] > 0 or hi.iat[i, j] < 0
                ax.text(
                    j, i, f"{v:+.3f}" + ("" if sig else " ~"), ha="center", va="center",
                    fontsize=7, fontweight="bold" if sig else "normal",
                    color="white" if abs(v) > 0.6 * vmax else "black",
                )  # fmt: skip
        ax.set_xticks(range(len(states)), states, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(variants)), variants, fontsize=8)
        ax.set_title(f"{p}: change vs base", loc="left", fontsize=10)
    fig.suptitle(
        "Paired change of the ten-year mean influence, variant - base\n"
        "(bold: the 5-95% band over seeds excludes 0; ~: it does not)",
        x=0.01,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return fig


def _alignment_figure(
    blocs: pd.DataFrame, camps: pd.DataFrame, results: Sequence[VariantResult]
) -> Figure:
    import matplotlib.pyplot as plt

    variants = [r.name for r in results]
    base = results[0]
    fig, axes = plt.subplots(
        1, 2, figsize=(13, 0.45 * len(variants) + 2.6), gridspec_kw={"width_ratios": [1, 1.4]}
    )
    ax = axes[0]
    names = list(dict.fromkeys(blocs["bloc"]))
    height = 0.8 / max(len(variants), 1)
    cmap = plt.get_cmap("viridis")
    for k, v in enumerate(variants):
        sub = blocs[blocs["variant"] == v].set_index("bloc").reindex(names)
        y = np.arange(len(names)) + (k - (len(variants) - 1) / 2) * height
        ax.barh(
            y, sub["mean"], height=height,
            xerr=[sub["mean"] - sub["lo"], sub["hi"] - sub["mean"]],
            color=cmap(k / max(len(variants) - 1, 1)), label=v, capsize=2,
        )  # fmt: skip
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel("members at the end (mean, 5-95% band)")
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    ax.set_title("Bloc sizes", loc="left", fontsize=10)
    ax = axes[1]
    if camps.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no landscape recorded", ha="center", va="center")
    else:
        grid = camps.pivot(index="variant", columns="state", values="challenger_camp_final")
        grid = grid.reindex(index=variants, columns=base.actors)
        ax.imshow(grid.to_numpy(), cmap="coolwarm", vmin=0, vmax=1, aspect="auto")
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                ax.text(j, i, f"{grid.iat[i, j]:.0%}", ha="center", va="center", fontsize=7)
        ax.set_xticks(range(grid.shape[1]), list(grid.columns), rotation=40, ha="right", fontsize=8)
        ax.set_yticks(range(grid.shape[0]), variants, fontsize=8)
        who = base.rivalry[0] if base.rivalry else "the challenger"
        ax.set_title(f"Share of seeds in {who}'s camp at the end (landscape)", loc="left",
                     fontsize=10)  # fmt: skip
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- writing


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_savefig(fig: Figure, path: Path) -> None:
    import matplotlib.pyplot as plt

    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(
    results: Sequence[VariantResult],
    table: pd.DataFrame,
    blocs: pd.DataFrame,
    camps: pd.DataFrame,
    found: Sequence[Check],
) -> str:
    """The one-page report (Markdown), figures referenced by relative path."""
    base = results[0]
    R = len(base.seeds)
    seeds = f"{base.seeds[0]}..{base.seeds[-1]}" if base.seeds == list(
        range(base.seeds[0], base.seeds[-1] + 1)
    ) else ", ".join(map(str, base.seeds))  # fmt: skip
    rivals = base.rivalry or ("the challenger", "the incumbent")
    parts = [
        f"# Face validity: {base.name} and its variants",
        "",
        f"{len(results)} scenarios x {R} seeds ({seeds}), {base.months} months each, "
        f"greatgame {__version__}. Bands are 5-95% percentiles across seeds; changes are "
        "paired by seed (variant minus base with the same random draws), so a band that "
        "excludes 0 is the variant's own effect. Regenerate with `greatgame report "
        f"--seeds {R}`.",
        "",
        _md_table(
            ["scenario", "what it changes", "hash"],
            [
                (r.name, " ".join(r.scenario.description.split()), f"`{r.scenario.content_hash()}`")
                for r in results
            ],
        ),
        "",
        "## Checks: the directions MODEL.md implies",
        "",
        _md_table(
            ["", "claim", "window", "measured: mean change [5%, 95%]"],
            [("yes" if c.holds else "**NO**", c.claim, c.window, c.measured) for c in found],
        ),
        "",
        "## Influence",
        "",
        "![ten-year mean influence by variant](influence_by_variant.png)",
        "",
        "![paired change of influence](influence_change.png)",
        "",
    ]
    ten = table[table["statistic"] == "ten-year mean"]
    states = list(dict.fromkeys(ten["state"]))
    rows = []
    for res in results:
        for p in dict.fromkeys(ten["patron"]):
            sub = ten[(ten["variant"] == res.name) & (ten["patron"] == p)].set_index("state")
            if res is base:
                cells = [f"{sub.at[s, 'mean']:.2f} [{sub.at[s, 'lo']:.2f}, {sub.at[s, 'hi']:.2f}]"
                         for s in states]  # fmt: skip
            else:
                cells = [
                    f"{sub.at[s, 'change']:+.3f}"
                    + ("" if sub.at[s, "change_lo"] > 0 or sub.at[s, "change_hi"] < 0 else "~")
                    for s in states
                ]
            rows.append([res.name if res is base else f"{res.name} (change)", p, *cells])
    parts += [
        "Ten-year mean share: base levels with 5-95% bands, then each variant's paired mean "
        "change (`~`: the band includes 0). Per-state CSV: `influence.csv`.",
        "",
        _md_table(["scenario", "patron", *states], rows),
        "",
        "## Alignments",
        "",
        "![bloc sizes and predicted camps](alignments.png)",
        "",
    ]
    if not camps.empty:
        grid = camps.pivot(index="variant", columns="state", values="challenger_camp_final")
        cols = [a for a in base.actors if a not in rivals]
        parts += [
            f"Share of seeds in which each state sits in {rivals[0]}'s camp at the end "
            f"(landscape theory; the rest sit with {rivals[1]}):",
            "",
            _md_table(
                ["scenario", *cols],
                [[v, *(f"{grid.at[v, a]:.0%}" for a in cols)] for v in grid.index],
            ),
            "",
        ]
    size_rows = []
    for v in [r.name for r in results]:
        sub = blocs[blocs["variant"] == v].set_index("bloc")
        cells = [f"{sub.at[b, 'mean']:.2f} [{sub.at[b, 'lo']:.0f}, {sub.at[b, 'hi']:.0f}]"
                 for b in base.blocs]  # fmt: skip
        size_rows.append([v, *cells])
    parts += [
        "Bloc sizes at the end (mean [5%, 95%]):",
        "",
        _md_table(["scenario", *base.blocs], size_rows),
        "",
    ]
    return "\n".join(parts)


def write_report(
    results: Sequence[VariantResult],
    out: str | Path,
    *,
    patrons: Sequence[str] | None = None,
) -> list[Path]:
    """Write ``report.md``, three PNG figures and the CSV tables into ``out``.

    Args:
        results: From :func:`run_variants`, the base first.
        out: Output directory (created if missing).
        patrons: Patrons to compare (default: the rivalry pair, else every patron).

    Returns:
        The paths written (each written to a temporary file, then renamed).

    Raises:
        InputError: ``out`` exists and is not a directory.
    """
    import matplotlib

    matplotlib.use("Agg")
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is a file; expected a directory (created if missing)")
    out_dir.mkdir(parents=True, exist_ok=True)
    base = results[0]
    pats = list(patrons) if patrons else list(base.rivalry or base.patrons)
    table = influence_table(results, pats)
    blocs, camps = alignment_tables(results)
    found = checks(results)
    written: list[Path] = []
    for name, df in (("influence", table), ("blocs", blocs), ("camps", camps)):
        path = out_dir / f"{name}.csv"
        tmp = path.with_name(path.name + ".tmp")
        df.to_csv(tmp, index=False)
        os.replace(tmp, path)
        written.append(path)
    figures = {
        "influence_by_variant.png": _influence_figure(table, results),
        "influence_change.png": _change_figure(table, results),
        "alignments.png": _alignment_figure(blocs, camps, results),
    }
    for fname, fig in figures.items():
        _atomic_savefig(fig, out_dir / fname)
        written.append(out_dir / fname)
    md = out_dir / "report.md"
    _atomic_write_text(md, render_markdown(results, table, blocs, camps, found))
    written.append(md)
    return written
