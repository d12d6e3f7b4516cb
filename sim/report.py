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
    "DOC_SEEDS",
    "VERDICTS",
    "Check",
    "Claim",
    "Findings",
    "VariantResult",
    "band",
    "checks",
    "discover_variants",
    "doc_blocks",
    "expert_claims",
    "gather",
    "headline",
    "paired_change",
    "pledge_effect",
    "response_curves",
    "run_variants",
    "verdict",
    "write_report",
]

BAND = (5.0, 95.0)
"""Percentiles across seeds drawn as bands."""


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
    posterior: Any = field(default=None)

    @property
    def varies(self) -> str:
        """What the runs differ by: ``seeds`` or ``seeds and posterior draws``."""
        return "seeds and posterior draws" if self.posterior is not None else "seeds"

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
    from sim.resources import find_scenario

    base_path = find_scenario(base) if base is not None else default_scenario_path()
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
    posterior: Any = None,
) -> list[VariantResult]:
    """Run each scenario as an ensemble over ``seeds`` (the first is the base).

    Args:
        paths: Scenario files, the base first (default: :func:`discover_variants`).
        seeds: The seeds, the same for every scenario (paired comparisons).
        months: Months to run (default: each scenario's own).
        progress: Called with each scenario's name before it runs.
        posterior: A calibration's posterior (file, shipped name or object): run r of every
            scenario draws the same parameter set (by its seed), so changes stay paired and
            bands show parameter uncertainty and seed noise together.

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
        res = api.run(sc, seed=seed_list, months=months, record="monthly", posterior=posterior)
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
                posterior=res.posterior,
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


VERDICTS: tuple[str, ...] = ("holds", "no effect", "contradicted")
"""A check's verdict: the 5-95% band of the paired change excludes 0 on the claimed side
(holds), includes 0 (no effect), or excludes 0 on the other side (contradicted)."""


@dataclass(frozen=True)
class Check:
    """A direction a mechanism implies, judged on the paired change (variant - base) per seed.

    Attributes:
        claim: The direction, as a sentence.
        window: The months it is measured over, and why.
        measured: The paired mean change with its 5-95% band over seeds, as text.
        verdict: ``holds``, ``no effect`` or ``contradicted`` (see :data:`VERDICTS`).
        mean, low, high: The numbers behind ``measured``.
    """

    claim: str
    window: str
    measured: str
    verdict: str
    mean: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")

    @property
    def holds(self) -> bool:
        return self.verdict == "holds"


def verdict(low: float, high: float, direction: int) -> str:
    """``holds`` if the band [low, high] lies strictly on the ``direction`` side of 0."""
    if direction > 0:
        return "holds" if low > 0 else ("contradicted" if high < 0 else "no effect")
    return "holds" if high < 0 else ("contradicted" if low > 0 else "no effect")


def _fmt(mean: float, lo: float, hi: float, digits: int = 3) -> str:
    return f"{mean:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


def aid_window(sc: Scenario, event: str = "china_aid_kabul") -> range:
    """Months the aid acts: its own months plus one half-life of the instrument's stock.

    After one half-life more than half of the aid's stock has decayed.
    """
    ev = sc.events[event]
    if not isinstance(ev, AidEvent):
        raise InputError(f"events.{event} is a {ev.type} event; expected an aid event")
    end = ev.start if ev.end is None else ev.end
    half_life = getattr(sc.parameters.half_life, ev.instrument)
    return range(ev.start, min(sc.months, int(end + round(half_life)) + 1))


def _check(
    base: VariantResult,
    variant: VariantResult,
    patron: str,
    state: str,
    direction: int,
    claim: str,
    window: range | None,
    window_text: str,
) -> Check:
    m = band(paired_change(base, variant, patron, state, window))
    return Check(claim, window_text, _fmt(*m), verdict(m[1], m[2], direction), *m)


def _members_ever(res: VariantResult, bloc: str) -> list[str]:
    """States of the region that belong to ``bloc`` in some month of the base's runs."""
    j = res.blocs.index(bloc)
    return [a for n, a in enumerate(res.actors) if a in res.region and res.member[:, :, n, j].any()]


def checks(results: Sequence[VariantResult]) -> list[Check]:
    """The directions the mechanisms imply, judged on paired changes (variants absent: skipped).

    * ``no_chinese_aid``: China's influence in Afghanistan is lower while the aid acts;
    * ``china_aid_73m_usd``: a larger pledge raises it (73 against about 46 million US$);
    * ``russia_joins_quartet``: Russia's influence rises over each Quartet member (its
      security there counts with a partner's share of the bloc's boost);
    * ``russia_refocuses``: Russia's influence rises over Tajikistan, Kyrgyzstan and
      Kazakhstan (more budget, no distraction).

    Every verdict comes from the band: a change whose band includes 0 is reported as
    ``no effect``, whatever its mean.
    """
    by_name = {r.name: r for r in results}
    base = results[0]
    out: list[Check] = []
    if "china_aid_kabul" in base.scenario.events:
        win = aid_window(base.scenario)
        text = f"months {win.start}-{win.stop - 1}: the aid's year plus one security half-life"
        nca = by_name.get("no_chinese_aid")
        if nca is not None:
            out.append(
                _check(base, nca, "China", "Afghanistan", -1,
                       "no Chinese aid lowers China's influence in Afghanistan", win, text)
            )  # fmt: skip
        big = by_name.get("china_aid_73m_usd")
        if big is not None:
            out.append(
                _check(base, big, "China", "Afghanistan", +1,
                       "a pledge of US$73 m (not 300 m CNY) raises China's influence in "
                       "Afghanistan", win, text)
            )  # fmt: skip
    rjq = by_name.get("russia_joins_quartet")
    if rjq is not None and "QCCM" in base.blocs:
        for state in _members_ever(base, "QCCM"):
            out.append(
                _check(base, rjq, "Russia", state, +1,
                       f"Russia joining the Quartet raises its influence over {state}",
                       None, "the ten years")
            )  # fmt: skip
    ref = by_name.get("russia_refocuses")
    if ref is not None:
        for state in ("Tajikistan", "Kyrgyzstan", "Kazakhstan"):
            if state in base.actors:
                out.append(
                    _check(base, ref, "Russia", state, +1,
                           f"Russia refocusing raises its influence over {state}",
                           None, "the ten years")
                )  # fmt: skip
    return out


@dataclass(frozen=True)
class Claim:
    """One of the article's expert's predictions, measured on the ensembles.

    Attributes:
        claim: The prediction, in the article's words.
        measured: What the model shows, with the share of seeds and its Wilson interval.
        verdict: ``supported``, ``not supported`` or ``undecided`` (an interval across 50%).
    """

    claim: str
    measured: str
    verdict: str


def _share(hits: np.ndarray) -> tuple[float, float, float]:
    from sim.stats import wilson_interval

    k, n = int(np.sum(hits)), int(np.size(hits))
    low, high = wilson_interval(k, n)
    return k / n, low, high


def _verdict_share(low: float, high: float) -> str:
    return "supported" if low > 0.5 else ("not supported" if high < 0.5 else "undecided")


def expert_claims(results: Sequence[VariantResult]) -> list[Claim]:
    """The expert's two predictions: the Quartet draws in Uzbekistan and Turkmenistan, and
    Moscow loses Tajikistan unless it joins (each variant absent: skipped)."""
    by_name = {r.name: r for r in results}
    base = results[0]
    out: list[Claim] = []
    qe = by_name.get("quartet_expands")
    if qe is not None and "QCCM" in qe.blocs:
        q = qe.blocs.index("QCCM")
        for state in ("Uzbekistan", "Turkmenistan"):
            if state not in qe.actors:
                continue
            share, low, high = _share(qe.member[-1, :, qe.actors.index(state), q])
            out.append(
                Claim(
                    f"the Quartet draws in {state} (when invited: quartet_expands)",
                    f"in the Quartet at the end in {share:.0%} of seeds [{low:.0%}, {high:.0%}]",
                    _verdict_share(low, high),
                )
            )
    rjq = by_name.get("russia_joins_quartet")
    if rjq is not None and base.rivalry is not None and "Tajikistan" in base.actors:
        challenger, incumbent = base.rivalry

        def lost(res: VariantResult) -> np.ndarray:
            return np.asarray(
                res.influence_of(challenger, "Tajikistan")[-1]
                > res.influence_of(incumbent, "Tajikistan")[-1]
            )

        s0, l0, h0 = _share(lost(base))
        s1, l1, h1 = _share(lost(rjq))
        loses_out = l0 > 0.5
        keeps_in = h1 < 0.5
        verdict_ = (
            "supported"
            if loses_out and keeps_in
            else ("not supported" if not loses_out or (h1 > 0.5 and l1 > 0.5) else "undecided")
        )
        out.append(
            Claim(
                f"Moscow loses Tajikistan unless it joins the Quartet ({challenger} holds more "
                f"of it than {incumbent} at the end)",
                f"without joining: {s0:.0%} of seeds [{l0:.0%}, {h0:.0%}]; "
                f"joining: {s1:.0%} [{l1:.0%}, {h1:.0%}]",
                verdict_,
            )
        )
    return out


def pledge_effect(results: Sequence[VariantResult]) -> pd.DataFrame:
    """How much China's aid pledge matters: each pledge against none, paired by seed.

    One row per pledge variant (the base's 300 m CNY and ``china_aid_73m_usd``), for China's
    share of Afghanistan over the aid's window and at the end, and China's GDP-weighted
    share of the region at the end: mean paired change and 5-95% band.
    """
    by_name = {r.name: r for r in results}
    base = results[0]
    none = by_name.get("no_chinese_aid")
    if none is None or "china_aid_kabul" not in base.scenario.events:
        return pd.DataFrame()
    win = aid_window(base.scenario)
    rows = []
    for res in [base, by_name.get("china_aid_73m_usd")]:
        if res is None:
            continue
        ev = res.scenario.events["china_aid_kabul"]
        assert isinstance(ev, AidEvent)
        usd = res.scenario.usd(ev.amount)
        for what, window in (
            ("aid window", win),
            ("last month", range(res.months - 1, res.months)),
        ):
            m = band(paired_change(none, res, "China", "Afghanistan", window))
            rows.append(
                {
                    "pledge": f"{ev.amount} (US${usd:.0f} m)",
                    "scenario": res.name,
                    "measure": f"China's share of Afghanistan, {what}",
                    "mean": m[0],
                    "low": m[1],
                    "high": m[2],
                }
            )
        reg = _regional(res, "China") - _regional(none, "China")
        m = band(reg)
        rows.append(
            {
                "pledge": f"{ev.amount} (US${usd:.0f} m)",
                "scenario": res.name,
                "measure": "China's GDP-weighted share of the region, last month",
                "mean": m[0],
                "low": m[1],
                "high": m[2],
            }
        )
    return pd.DataFrame(rows)


def _regional(res: VariantResult, patron: str) -> np.ndarray:
    """``(R,)`` the patron's GDP-weighted share of the region at the last month."""
    gdp = np.array([res.scenario.usd(res.scenario.actors[a].gdp) for a in res.region])
    shares = np.stack([res.influence_of(patron, a)[-1] for a in res.region], axis=-1)
    return np.asarray(shares @ gdp / gdp.sum())


#: The levels of China's offer to the Quartet's members in the response curves: its security
#: guarantee over the whole range the schema allows (0 to 1; the article's is 0.3).
OFFER_LEVELS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
#: Russia's attention while distracted (the article's 0.6), from deep distraction to more
#: than its routine budget.
DISTRACTION_LEVELS: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 1.0, 1.25)


@dataclass
class Findings:
    """Everything the report measures beyond the variants' influence tables.

    Attributes:
        checks: The mechanisms' directions (:func:`checks`).
        claims: The expert's predictions (:func:`expert_claims`).
        attribution: Per contested state, what drives the challenger's overtake
            (:func:`sim.attribution.summarise`), on the base's seeds.
        curves: Response curves of joining the Quartet in ``quartet_expands``: columns of
            :func:`sim.experiments.response_curve` plus ``state``, ``driver``, ``noise``.
        noise: What noise alone does to the base's memberships
            (:func:`sim.experiments.noise_switches`).
        pledge: :func:`pledge_effect`.
    """

    checks: list[Check]
    claims: list[Claim]
    attribution: pd.DataFrame
    curves: pd.DataFrame
    noise: Any
    pledge: pd.DataFrame


def response_curves(results: Sequence[VariantResult]) -> pd.DataFrame:
    """Joining the Quartet in ``quartet_expands`` as China's offer and Russia's distraction vary.

    On the base's seeds, noise on, and once noise-free; empty without the variant.
    """
    from sim.experiments import response_curve

    by_name = {r.name: r for r in results}
    qe = by_name.get("quartet_expands")
    if qe is None or "QCCM" not in qe.blocs:
        return pd.DataFrame()
    frames = []
    plans: list[tuple[str, str, Sequence[float]]] = [
        ("China's offer (the Quartet's security guarantee)", "blocs.QCCM.guarantee", OFFER_LEVELS)
    ]
    if "russia_distracted" in qe.scenario.events:
        plans.append(
            ("Russia's attention while distracted", "events.russia_distracted.value",
             DISTRACTION_LEVELS)
        )  # fmt: skip
    for state in ("Uzbekistan", "Turkmenistan"):
        if state not in qe.actors:
            continue
        for driver, key, levels in plans:
            for noise, seeds, stochastic in (
                ("on", qe.seeds, None),
                ("off", qe.seeds[:1], False),
            ):
                curve = response_curve(
                    qe.scenario, key, levels, state=state, bloc="QCCM", seeds=seeds,
                    stochastic=stochastic,
                )  # fmt: skip
                curve.insert(0, "state", state)
                curve.insert(1, "driver", driver)
                curve.insert(2, "key", key)
                curve.insert(3, "noise", noise)
                frames.append(curve)
    return pd.concat(frames, ignore_index=True)


def gather(results: Sequence[VariantResult]) -> Findings:
    """Measure everything the report shows beyond the influence tables (see :class:`Findings`)."""
    from sim.attribution import knockouts, summarise
    from sim.experiments import noise_switches

    base = results[0]
    attribution = (
        summarise(
            knockouts(base.scenario, base.seeds, months=base.months, posterior=base.posterior)
        )
        if base.rivalry is not None
        else pd.DataFrame()
    )
    return Findings(
        checks=checks(results),
        claims=expert_claims(results),
        attribution=attribution,
        curves=response_curves(results),
        noise=noise_switches(base.scenario, base.seeds),
        pledge=pledge_effect(results),
    )


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
                # a mean can fall outside its 5-95% band when most seeds agree and a few
                # differ far: the band is drawn from the mean to the band's nearer end then
                yerr=[
                    (sub["mean"] - sub["lo"]).clip(lower=0),
                    (sub["hi"] - sub["mean"]).clip(lower=0),
                ],
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
            xerr=[(sub["mean"] - sub["lo"]).clip(lower=0), (sub["hi"] - sub["mean"]).clip(lower=0)],
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


def _curve_figure(curves: pd.DataFrame) -> Figure:
    """Share of seeds in the Quartet at the end against each driver, one panel per driver."""
    import matplotlib.pyplot as plt

    from sim.labels import wrap

    drivers = list(dict.fromkeys(curves["driver"]))
    states = list(dict.fromkeys(curves["state"]))
    fig, axes = plt.subplots(
        1, len(drivers), figsize=(5.2 * len(drivers), 3.6), squeeze=False, layout="constrained"
    )
    colours = dict(zip(states, ("#6a3d9a", "#b15928", "#1f78b4"), strict=False))
    for ax, driver in zip(axes[0], drivers, strict=True):
        for state in states:
            on = curves[
                (curves.driver == driver) & (curves.state == state) & (curves.noise == "on")
            ]
            off = curves[
                (curves.driver == driver) & (curves.state == state) & (curves.noise == "off")
            ]
            if on.empty:
                continue
            c = colours[state]
            ax.fill_between(on["value"], on["low"], on["high"], color=c, alpha=0.2, lw=0)
            runs = int(on["runs"].iloc[0])
            ax.plot(on["value"], on["member"], "o-", color=c, ms=3,
                    label=f"{state}: share of {runs} seeds (95% Wilson band: seeds)")  # fmt: skip
            ax.step(off["value"], off["member"], where="mid", color=c, ls="--", lw=1,
                    label=f"{state}, noise off")  # fmt: skip
        ax.axhline(0.1, color="grey", lw=0.5, ls=":")
        ax.axhline(0.9, color="grey", lw=0.5, ls=":")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(wrap(driver, 45))
        ax.set_ylabel("in the Quartet at the end (share of seeds)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False, loc="center right")
    fig.suptitle(
        "quartet_expands: who joins the Quartet, as China's offer and Russia's distraction vary",
        x=0.01,
        ha="left",
    )
    return fig


def _attribution_figure(attribution: pd.DataFrame, rivalry: tuple[str, str]) -> Figure:
    """The challenger's effort by instrument at each overtake, and the knockouts' verdicts."""
    import matplotlib.pyplot as plt

    from sim.records import EFFORT_PARTS
    from sim.scenario import INSTRUMENTS

    rows = attribution[attribution["overtaken"] > 0]
    fig, ax = plt.subplots(figsize=(8, 0.7 * max(len(rows), 1) + 1.6), layout="constrained")
    colours = {"investment": "#33a02c", "security": "#1f78b4", "leverage": "#ff7f00",
               "dependency": "#999999"}  # fmt: skip
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for part in EFFORT_PARTS:
        vals = rows[f"share_{part}"].fillna(0).to_numpy()
        ax.barh(y, vals, left=left, color=colours[part], label=part)
        left += vals
    for i, (_, row) in enumerate(rows.iterrows()):
        notes = []
        for k in INSTRUMENTS:
            if row[f"prevented_{k}"] > 0.5:
                notes.append(f"no {k}: none")
            elif np.isfinite(row[f"delay_{k}"]) and abs(row[f"delay_{k}"]) >= 1:
                notes.append(f"no {k}: {row[f'delay_{k}']:+.0f} mo")
        text = f"month {row['month']:.0f}; " + ("; ".join(notes) or "no knockout matters")
        ax.text(1.02, i, text, va="center", fontsize=7)
    ax.set_yticks(y, list(rows["state"]))
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of {rivalry[0]}'s effort at the overtake (mean over seeds)")
    ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncol=4)
    ax.set_title(
        f"What carries {rivalry[0]} past {rivalry[1]}: effort by instrument, and the overtake "
        "without each (knockouts, same seeds)",
        loc="left",
        fontsize=9,
        pad=22,
    )
    return fig


# --------------------------------------------------------------------------- docs

#: Seeds behind the numbers quoted in docs/model.md and the README (``python -m sim.docs_tables``).
DOC_SEEDS = range(50)


def headline(results: Sequence[VariantResult], found: Findings) -> str:
    """The README's summary of the results, every number taken from the ensembles."""
    from sim.records import month_label

    base = results[0]
    if base.rivalry is None:
        return "(no rivalry in the base scenario)"
    challenger, incumbent = base.rivalry
    R = len(base.seeds)
    att = found.attribution
    over = att[(att["overtaken"] >= 0.5) & (att["led_from_start"] < 0.5)]
    start = att[att["led_from_start"] >= 0.5]["state"].tolist()
    rare = att[(att["overtaken"] < 0.5) & (att["led_from_start"] < 0.5)]
    parts = []
    if len(over):
        items = [
            f"{r.state} in month {r.month:.0f} ({month_label(base.scenario.start, int(r.month))}"
            + (f", {r.overtaken:.0%} of seeds" if r.overtaken < 1 else "")
            + ")"
            for r in over.itertuples()
        ]
        parts.append(
            f"Over {R} seeds, {challenger} overtakes {incumbent} in "
            + _and(items)
            + " (median months)"
        )
    if start:
        parts.append(f"it leads in {_and(list(start))} from the start")
    for r in rare.itertuples():
        if r.overtaken > 0:
            parts.append(f"it overtakes in {r.state} in {r.overtaken:.0%} of seeds only")
        else:
            parts.append(f"it never overtakes in {r.state}")
    lines = ["; ".join(parts) + "."] if parts else []
    from sim.scenario import INSTRUMENTS

    for driver, group in over.groupby("driver", sort=True):
        names = _and(list(group["state"]))
        driving = [k for k in INSTRUMENTS if k in str(driver).split(" and ")]
        others = [k for k in INSTRUMENTS if k not in driving]
        prevented = all(group[f"prevented_{k}"].min() > 0.5 for k in driving) if driving else False
        delays = group[[f"delay_{k}" for k in others]].abs().to_numpy()
        most = float(np.nanmax(delays)) if np.isfinite(delays).any() else 0.0
        pct = [
            " + ".join(f"{getattr(r, f'share_{k}'):.0%}" for k in driving)
            for r in group.itertuples()
        ]
        states = list(group["state"])
        shares = _and(
            [f"{pct[0]} of its effort in {states[0]}"]
            + [f"{p} in {st}" for p, st in zip(pct[1:], states[1:], strict=True)]
        )
        if driving:
            lines.append(
                f"In {names} the overtake is driven by {driver}: without {challenger}'s "
                f"{' and '.join(driving)} in that state it "
                + ("does not happen" if prevented else "comes a year or more later")
                + " (knockouts, same seeds), while its other instruments move it by at most "
                f"{_months(most)}; at the overtake, {driver} makes up {shares}."
            )
        else:
            lines.append(
                f"In {names} no single instrument drives the overtake: none of the knockouts "
                f"prevents it or delays it by a year (the largest delay: {_months(most)})."
            )
    holds = [c for c in found.checks if c.holds]
    lines.append(
        f"{len(holds)} of the {len(found.checks)} directions the mechanisms imply hold on the "
        "5-95% band of the paired change"
        + (
            "; " + "; ".join(f"{c.claim}: {c.verdict}" for c in found.checks if not c.holds)
            if len(holds) < len(found.checks)
            else ""
        )
        + "."
    )
    for c in found.claims:
        lines.append(f"The expert's prediction that {c.claim}: {c.verdict} ({c.measured}).")
    n = found.noise
    lines.append(
        f"Noise alone changes a membership in {n.share:.0%} of seeds [{n.low:.0%}, {n.high:.0%}] "
        "over ten years."
    )
    return "\n".join(f"* {line}" for line in lines)


def doc_blocks(results: Sequence[VariantResult], found: Findings) -> dict[str, str]:
    """The generated blocks of docs/model.md (``face-validity``) and the README (``headline``)."""
    base = results[0]
    rivals = base.rivalry or ("the challenger", "the incumbent")
    R = len(base.seeds)
    face = [
        f"Numbers from `greatgame report --seeds {R}` ({len(results)} scenarios x {R} seeds, "
        "bands over seeds; regenerated by `python -m sim.docs_tables`).",
        "",
        "**Checks: the directions the mechanisms imply** (paired change variant - base):",
        "",
        section_checks(found),
        "",
        "**The expert's predictions:**",
        "",
        section_claims(found),
        "",
        "**What drives each overtake:**",
        "",
        section_attribution(found, rivals),
        "",
        "**Would the Quartet draw in Uzbekistan and Turkmenistan?** (`quartet_expands`, "
        "response curves)",
        "",
        section_curves(found),
        "",
        "**How much does the aid pledge matter?**",
        "",
        section_pledge(found),
        "",
        "**What noise alone does to memberships:**",
        "",
        section_noise(found),
    ]
    return {"face-validity": "\n".join(face), "headline": headline(results, found)}


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
    found: Findings,
) -> str:
    """The report page (Markdown), figures referenced by relative path."""
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
        f"greatgame {__version__}. Bands are 5-95% percentiles across runs; what varies in "
        + (
            "them: the seed (random bloc choices and threat shocks) and the parameters, each "
            f"run drawing its own set from the posterior `{base.posterior.path}`; "
            if base.posterior is not None
            else "them: the seed, i.e. the random bloc choices and threat shocks; every "
            "parameter is at the scenario's value; "
        )
        + "changes are paired by seed (variant minus base with the same random draws"
        + (" and the same posterior draw" if base.posterior is not None else "")
        + ")"
        + _posterior_skips(results)
        + ". Shares of seeds carry 95% Wilson intervals. Regenerate with "
        f"`greatgame report --seeds {R}"
        + (f" --posterior {base.posterior.path}" if base.posterior is not None else "")
        + "`.",
        "",
        _md_table(
            ["scenario", "what it changes", "hash"],
            [
                (r.name, " ".join(r.scenario.description.split()), f"`{r.scenario.content_hash()}`")
                for r in results
            ],
        ),
        "",
        "## Checks: the directions the mechanisms imply",
        "",
        "A check holds when the 5-95% band of the paired change lies on the claimed side of 0; "
        "a band across 0 is reported as *no effect*, whatever the mean.",
        "",
        section_checks(found),
        "",
        "## The expert's predictions",
        "",
        section_claims(found),
        "",
        "## What drives each overtake",
        "",
        "![effort by instrument at each overtake](attribution.png)",
        "",
        section_attribution(found, rivals),
        "",
        "## Would the Quartet draw in Uzbekistan and Turkmenistan?",
        "",
        "![response curves](quartet_response.png)",
        "",
        section_curves(found),
        "",
        "## How much does the aid pledge matter?",
        "",
        section_pledge(found),
        "",
        "## What noise alone does to memberships",
        "",
        section_noise(found),
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


def section_checks(found: Findings) -> str:
    """The checks table (Markdown)."""
    return _md_table(
        ["verdict", "claim", "window", "paired change: mean [5%, 95%]"],
        [
            ("holds" if c.holds else f"**{c.verdict}**", c.claim, c.window, c.measured)
            for c in found.checks
        ],
    )


def section_claims(found: Findings) -> str:
    """The expert's predictions (Markdown)."""
    if not found.claims:
        return "(the variants that test them are absent)"
    return _md_table(
        ["verdict", "prediction", "what the model shows"],
        [(c.verdict, c.claim, c.measured) for c in found.claims],
    )


def section_attribution(found: Findings, rivals: Sequence[str]) -> str:
    """One sentence per contested state (built from the numbers) and the table (Markdown)."""
    from sim.attribution import describe
    from sim.scenario import INSTRUMENTS

    att = found.attribution
    if att.empty:
        return "(no rivalry: nothing to attribute)"
    lines = [
        "Knockouts remove one instrument from the challenger's toolkit in that state only "
        "(same seeds); an instrument *drives* the overtake when, without it, the overtake "
        "does not happen in most seeds or comes at least a year later.",
        "",
    ]
    lines += [
        f"* {describe(row, challenger=rivals[0], incumbent=rivals[1])}" for _, row in att.iterrows()
    ]
    rows = []
    for _, r in att.iterrows():
        if not r["overtaken"]:
            continue
        knock = "; ".join(
            f"{k}: {'none' if r[f'prevented_{k}'] > 0.5 else f'{r[f"delay_{k}"]:+.0f} mo'}"
            for k in INSTRUMENTS
        )
        rows.append(
            (
                r["state"],
                f"{r['overtaken']:.0%}",
                f"{r['month']:.0f}",
                ", ".join(f"{r[f'share_{k}']:.0%}" for k in INSTRUMENTS),
                knock,
                r["driver"],
            )
        )
    if rows:
        lines += [
            "",
            _md_table(
                ["state", "seeds overtaking", "median month",
                 "effort: investment, security, leverage", "without (overtake/delay)", "driver"],
                rows,
            ),
        ]  # fmt: skip
    return "\n".join(lines)


def section_curves(found: Findings) -> str:
    """The response curves as text: where each state crosses 10% and 90% (Markdown)."""
    c = found.curves
    if c.empty:
        return "(the variant quartet_expands is absent)"
    lines = []
    for (state, driver), g in c.groupby(["state", "driver"], sort=False):
        on = g[g.noise == "on"]
        off = g[g.noise == "off"]
        lo_v, hi_v = on["value"].min(), on["value"].max()
        below = on[on["member"] < 0.1]["value"]
        above = on[on["member"] > 0.9]["value"]
        flip = off[off["member"] > 0.5]["value"]
        span = f"over {lo_v:g}-{hi_v:g}"
        if above.empty:
            joins = f"joins from {flip.min():g}" if not flip.empty else "never joins"
            moved = (
                f"never above 90% {span} (at most {on['member'].max():.0%}); noise off, it {joins}"
            )
        elif below.empty:
            moved = f"never below 10% {span}"
        else:
            moved = (
                f"below 10% up to {below.max():g}, above 90% from {above.min():g}; "
                f"noise off, it joins from {flip.min():g}"
                if not flip.empty
                else f"below 10% up to {below.max():g}, above 90% from {above.min():g}"
            )
        lines.append(f"* **{state}**, {driver}: {moved}.")
    return "\n".join(lines)


def section_pledge(found: Findings) -> str:
    """How much the pledge matters (Markdown)."""
    p = found.pledge
    if p.empty:
        return "(the variant no_chinese_aid is absent)"
    return "Each pledge against no pledge, paired by seed: mean change [5%, 95%].\n\n" + _md_table(
        ["pledge", "measure", "change"],
        [(r.pledge, r.measure, _fmt(r.mean, r.low, r.high)) for r in p.itertuples()],
    )


def section_noise(found: Findings) -> str:
    """What noise alone does (Markdown)."""
    n = found.noise
    extra = n.changes
    counts = (
        extra.groupby(["state", "bloc", "change", "kind"], observed=True)
        .size()
        .sort_values(ascending=False)
        if not extra.empty
        else pd.Series(dtype=int)
    )
    lines = [
        f"In {n.share:.0%} of {n.runs} seeds [{n.low:.0%}, {n.high:.0%}] the memberships change "
        "differently from the noise-free run (same scenario, `parameters.stochastic: false`), "
        "timing aside. The noise-free run's changes, all by reasons or events: "
        + (", ".join(f"{s} {c} {b} (month {m})" for s, b, c, m in n.reasons) or "none")
        + ".",
    ]
    if len(counts):
        lines += [
            "",
            "Changes noise made or prevented (seeds):",
            "",
            _md_table(
                ["state", "bloc", "change", "noise", "seeds"],
                [(s, b, c, k, str(v)) for (s, b, c, k), v in counts.items()],
            ),
        ]
    return "\n".join(lines)


def write_report(
    results: Sequence[VariantResult],
    out: str | Path,
    *,
    patrons: Sequence[str] | None = None,
    findings: Findings | None = None,
) -> list[Path]:
    """Write ``report.md``, its PNG figures and the CSV tables into ``out``.

    Args:
        results: From :func:`run_variants`, the base first.
        out: Output directory (created if missing).
        patrons: Patrons to compare (default: the rivalry pair, else every patron).
        findings: From :func:`gather` (computed here when not given).

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
    found = findings if findings is not None else gather(results)
    written: list[Path] = []
    csvs = (
        ("influence", table),
        ("blocs", blocs),
        ("camps", camps),
        ("checks", pd.DataFrame([c.__dict__ for c in found.checks])),
        ("attribution", found.attribution),
        ("quartet_response", found.curves),
        ("pledge", found.pledge),
        ("noise_switches", found.noise.changes),
    )
    for name, df in csvs:
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
    if not found.curves.empty:
        figures["quartet_response.png"] = _curve_figure(found.curves)
    if not found.attribution.empty and base.rivalry is not None:
        figures["attribution.png"] = _attribution_figure(found.attribution, base.rivalry)
    for fname, fig in figures.items():
        _atomic_savefig(fig, out_dir / fname)
        written.append(out_dir / fname)
    md = out_dir / "report.md"
    _atomic_write_text(md, render_markdown(results, table, blocs, camps, found))
    if found.curves.empty:
        md.write_text(md.read_text().replace("![response curves](quartet_response.png)\n\n", ""))
    written.append(md)
    return written


def _months(n: float) -> str:
    """``n`` months, as prose: "1 month", "2 months", "1.5 months"."""
    n = round(float(n), 1)
    return f"{n:g} month{'' if n == 1 else 's'}"


def _and(items: list[str]) -> str:
    """A list as prose: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _posterior_skips(results: Sequence[VariantResult]) -> str:
    """Which variants have no place for some calibrated keys (their runs skip them)."""
    notes = []
    for r in results:
        if r.posterior is None:
            continue
        _, skipped = r.posterior.held_keys(r.scenario)
        if skipped:
            notes.append(f"{r.name} has no place for `{'`, `'.join(skipped)}`")
    if not notes:
        return ""
    return "; a variant's runs skip the calibrated keys it has no place for: " + "; ".join(notes)
