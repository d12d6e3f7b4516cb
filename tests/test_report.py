"""Face validity (sim.report, ``greatgame report``): the directions MODEL.md implies, on ensembles.

Every comparison is paired by seed: run r of a variant and run r of the base draw the same
random numbers, so ``variant - base`` per seed is the variant's own effect. A direction
"holds" when the 95th (or 5th) percentile of the per-seed changes is on the right side of 0,
i.e. in at least 95% of the seeds, not only on average.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim import report as rp
from sim.api import run
from sim.scenario import load_scenario

SEEDS = range(50)


@pytest.fixture(scope="module")
def results() -> dict[str, rp.VariantResult]:
    """The article and its four variants, 50 seeds each, ten years, monthly records."""
    found = rp.run_variants(seeds=SEEDS)
    assert found[0].name == "central_asia_2016"
    return {r.name: r for r in found}


@pytest.fixture(scope="module")
def base(results: dict[str, rp.VariantResult]) -> rp.VariantResult:
    return results["central_asia_2016"]


def test_every_variant_beside_the_article_is_run(results: dict[str, rp.VariantResult]) -> None:
    assert sorted(results) == [
        "central_asia_2016",
        "no_chinese_aid",
        "quartet_expands",
        "russia_joins_quartet",
        "russia_refocuses",
    ]
    for r in results.values():
        assert r.seeds == list(SEEDS)
        assert r.influence.shape == (120, 50, len(r.patrons), len(r.actors))
        assert r.camp is not None and r.camp.shape == (120, 50, len(r.actors))


def test_no_chinese_aid_lowers_chinas_influence_in_afghanistan(
    base: rp.VariantResult, results: dict[str, rp.VariantResult]
) -> None:
    """Window: the aid's months (0-11) plus one half-life of security stocks (24 months).

    That is where the aid acts: afterwards more than half of its stock has decayed, and
    China's adaptive allocation moves money toward Afghanistan, where its marginal influence
    per dollar is higher without the aid, which closes the gap (see docs/model.md)."""
    window = rp.aid_window(base.scenario)
    assert (window.start, window.stop) == (0, 36)
    change = rp.paired_change(base, results["no_chinese_aid"], "China", "Afghanistan", window)
    assert change.mean() < 0
    assert np.percentile(change, 95) < 0


def russian_security_channel(state: str) -> bool:
    sc = load_scenario(Path("scenarios/central_asia_2016.yaml"))
    stock = sc.patrons["Russia"].stocks.get(state)
    alloc = sc.patrons["Russia"].allocation.get(state)
    return bool((stock and stock.security.amount > 0) or (alloc and alloc.security > 0))


def test_russia_joining_the_quartet_raises_its_influence_over_members(
    base: rp.VariantResult, results: dict[str, rp.VariantResult]
) -> None:
    """As a Quartet member Russia gets a partner's share of the bloc's security boost, which
    multiplies its security stocks in the other members: its influence rises wherever it has
    such stocks. Over the ten years (the membership is permanent)."""
    q = base.blocs.index("QCCM")
    members = [a for n, a in enumerate(base.actors) if base.member[0, 0, n, q] and a in base.region]
    assert members == ["Afghanistan", "Pakistan", "Tajikistan"]
    with_channel = [a for a in members if russian_security_channel(a)]
    assert "Tajikistan" in with_channel  # the 201st base
    for state in with_channel:
        change = rp.paired_change(base, results["russia_joins_quartet"], "Russia", state)
        assert np.percentile(change, 5) > 0, state


def test_russia_joining_the_quartet_cannot_move_a_member_without_a_security_channel() -> None:
    """Take away Russia's security spending and stock in Pakistan: the Quartet's boost is
    security-only, so the multiplier has nothing to multiply there, and Russia's influence over
    Pakistan moves only through second-order effects (China's adaptive budget), while it still
    rises in Tajikistan."""
    cut = [
        "patrons.Russia.allocation.Pakistan.security=0",
        "patrons.Russia.stocks.Pakistan.security=0",
    ]
    seeds = list(range(20))
    runs = {
        name: run(f"scenarios/{name}.yaml", seed=seeds, set=cut, record="monthly")
        for name in ("central_asia_2016", "russia_joins_quartet")
    }

    def mean_share(name: str, state: str) -> np.ndarray:
        w = runs[name].model.world
        inf = runs[name].model.records.influence  # (T, R, P, N)
        return inf[:, :, w.patron("Russia"), w.actor(state)].mean(axis=0)

    pakistan = mean_share("russia_joins_quartet", "Pakistan") - mean_share(
        "central_asia_2016", "Pakistan"
    )
    tajikistan = mean_share("russia_joins_quartet", "Tajikistan") - mean_share(
        "central_asia_2016", "Tajikistan"
    )
    assert tajikistan.mean() > 0
    assert abs(pakistan.mean()) < rp.NEGLIGIBLE
    assert abs(pakistan.mean()) < 0.05 * tajikistan.mean()


def test_russia_refocusing_raises_its_influence_in_its_near_abroad(
    base: rp.VariantResult, results: dict[str, rp.VariantResult]
) -> None:
    """Full attention (1.25 instead of 0.6 for three years, then 1.0) means more Russian money
    every month: over the ten years Russia holds more of Tajikistan, Kyrgyzstan, Kazakhstan."""
    for state in ("Tajikistan", "Kyrgyzstan", "Kazakhstan"):
        change = rp.paired_change(base, results["russia_refocuses"], "Russia", state)
        assert np.percentile(change, 5) > 0, state


def test_quartet_expansion_changes_nothing_for_non_invited_states(
    base: rp.VariantResult, results: dict[str, rp.VariantResult]
) -> None:
    """The variant only opens the Quartet to Uzbekistan and Turkmenistan: every other state's
    memberships are the same, month by month and seed by seed (common random numbers)."""
    qe = results["quartet_expands"]
    invited = set(qe.scenario.blocs["QCCM"].invited) - set(base.scenario.blocs["QCCM"].invited)
    assert invited == {"Uzbekistan", "Turkmenistan"}
    others = [n for n, a in enumerate(base.actors) if a not in invited]
    np.testing.assert_array_equal(qe.member[:, :, others], base.member[:, :, others])
    # and the invitation is real: the invited states' memberships do differ in some seeds
    invited_idx = [base.actors.index(a) for a in sorted(invited)]
    assert not np.array_equal(qe.member[:, :, invited_idx], base.member[:, :, invited_idx])


def test_report_checks_all_hold(results: dict[str, rp.VariantResult]) -> None:
    found = rp.checks(list(results.values()))
    assert len(found) == 9
    assert [c.claim for c in found if not c.holds] == []


def test_write_report(results: dict[str, rp.VariantResult], tmp_path: Path) -> None:
    written = rp.write_report(list(results.values()), tmp_path / "rep")
    names = sorted(p.name for p in written)
    assert names == [
        "alignments.png",
        "blocs.csv",
        "camps.csv",
        "influence.csv",
        "influence_by_variant.png",
        "influence_change.png",
        "report.md",
    ]
    for p in written:
        if p.suffix == ".png":
            data = p.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    md = (tmp_path / "rep" / "report.md").read_text()
    for name in results:
        assert name in md
    for fig in ("influence_by_variant.png", "influence_change.png", "alignments.png"):
        assert f"]({fig})" in md
    assert "**NO**" not in md
    assert not list((tmp_path / "rep").glob("*.tmp*"))


def test_paired_change_by_hand(base: rp.VariantResult) -> None:
    shifted = rp.VariantResult(**{**base.__dict__, "influence": base.influence.copy()})
    c, n = base.patrons.index("China"), base.actors.index("Kazakhstan")
    shifted.influence[10:20, :, c, n] += 0.1
    change = rp.paired_change(base, shifted, "China", "Kazakhstan", range(0, 40))
    np.testing.assert_allclose(change, 0.1 * 10 / 40)
    np.testing.assert_allclose(rp.paired_change(base, shifted, "China", "Kazakhstan"), 0.1 / 12)
    np.testing.assert_allclose(rp.paired_change(base, shifted, "Russia", "Kazakhstan"), 0.0)


def test_cli_report_end_to_end(cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    code, out, err = cli("report", "--seeds", "3", "--out", tmp_path / "r")
    assert code == 0, err
    assert (tmp_path / "r" / "report.md").is_file()
    assert "Checks" in out and "3 seeds" in (tmp_path / "r" / "report.md").read_text()


def test_cli_report_bad_input(cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    code, _, err = cli("report", "--seeds", "1")
    assert code == 1 and "--seeds" in err and err.count("\n") == 1
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = cli("report", "--seeds", "2", "--out", blocker)
    assert code == 1
    assert err == f"error: --out {blocker} is a file; expected a directory (created if missing)\n"
    code, _, err = cli("report", "--base", tmp_path / "nope.yaml")
    assert code == 1 and "nope.yaml: no such scenario file" in err
    assert "Traceback" not in err
