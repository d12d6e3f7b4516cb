"""The dashboard's model and command, without a browser (see test_app_browser.py for that).

What a class relies on: each control is the scenario override it claims to be,
so the page shows exactly what ``greatgame run --set ...`` computes; the
controls adapt to the scenario served; bad input to ``greatgame app`` is one
sentence and exit code 1; Ctrl-C stops the server cleanly.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim import plots
from sim.app import (
    AS_SCENARIO,
    NO_VARIANT,
    DashboardModel,
    control_notes,
    control_overrides,
    holders,
    host_allowed,
    influence_figure,
    map_figure,
    model_params,
    readout,
)
from sim.cli import main
from sim.errors import InputError
from sim.scenario import Money, default_scenario_path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = default_scenario_path().parent


def test_each_control_is_the_override_it_claims() -> None:
    sc = sim.load()
    assert control_overrides(
        sc, aid=1200, attention=1.5, decisiveness=2.5, alignment_rule="balancing"
    ) == [
        "events.china_aid_kabul.amount=1200 m CNY",
        "events.russia_distracted.value=1.5",
        "parameters.decisiveness=2.5",
        "parameters.alignment_rule=balancing",
    ]
    assert control_overrides(sc) == []
    model = DashboardModel(aid=1200, attention=1.5, decisiveness=2.5, alignment_rule="balancing")
    assert model.spec.events["china_aid_kabul"].amount == Money(1200, "CNY")
    assert model.spec.events["russia_distracted"].value == 1.5
    assert model.spec.parameters.decisiveness == 2.5
    assert {s.rule.name for s in model.states} == {"balancing"}


def _month(date: object) -> str:
    """``YYYY-MM`` of a date as the records give it (a string, a Period or a timestamp)."""
    return str(pd.Period(date, freq="M"))  # type: ignore[arg-type]


def test_the_page_shows_what_greatgame_run_computes() -> None:
    model = DashboardModel(attention=1.2, decisiveness=1.5, seed=3)
    assert model.history[0].month == -1
    assert model.history[0].label == "start of 2016-03 (before month 0)"
    for _ in range(12):
        model.step()
    run = sim.run(default_scenario_path(), seed=3, months=12, set=model.overrides)
    snap = model.history[-1]
    # after twelve steps the page shows month 11: the records' last month, the same date
    last = run.influence[run.influence["month"] == run.influence["month"].max()]
    assert snap.month == 11 == int(last["month"].iloc[0])
    assert snap.date == _month(last["date"].iloc[0]) == _month(run.summary["date"]) == "2017-02"
    recorded = run.model.records.influence[11, 0]  # month 11 of run 0: (patrons, states)
    np.testing.assert_allclose(snap.influence, recorded, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(snap.member, run.model.world.member[0])
    assert len(model.history) == 13  # the start and twelve months
    text = readout(model, "Tajikistan")
    assert text.startswith("Tajikistan, month 11 (2017-02): China 0.")
    share = run.summary["final_influence"]["Russia"]["Tajikistan"]
    assert f"Russia {share:.3f}" in text


def test_month_n_on_the_page_is_month_n_in_greatgame_run(cli: Any, tmp_path: Path) -> None:
    """After 37 steps: the CLI's month 36 (its last), the same date and the same shares."""
    model = DashboardModel(seed=1)
    for _ in range(37):
        model.step()
    code, out, _ = cli("run", "--seed", "1", "--months", "37", "--no-figures", "--out", tmp_path)
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (
        model.history[-1].label == f"month 36 ({_month(summary['date'])})" == "month 36 (2019-03)"
    )
    assert "to 2019-03" in out  # the CLI's table title
    table = pd.read_parquet(tmp_path / "timeseries.parquet")
    last = table[(table["month"] == 36) & (table["target"] == "Tajikistan")]
    text = readout(model, "Tajikistan")
    for patron, share in zip(last["patron"], last["influence"], strict=True):
        assert f"{patron} {share:.3f}" in text
    row = re.search(r"Tajikistan\s*│\s*(\w+)\s*│\s*([\d.]+)\s*│\s*([\d.]+)", out)
    assert row, out
    col = model.history[-1].influence[:, model.world.actor("Tajikistan")]
    assert row.group(2) == f"{col[0]:.2f}" and row.group(3) == f"{col[1]:.2f}"


def test_a_variant_runs_beside_on_the_same_seed_with_the_class_changes() -> None:
    model = DashboardModel(aid=600.0, attention=1.5, seed=2, variant="russia_joins_quartet")
    for _ in range(6):  # Russia joins the Quartet at its founding, month 5
        model.step()
    comp = model.comparison
    assert comp is not None and comp.name == "russia_joins_quartet"
    assert comp.applied == [
        "events.china_aid_kabul.amount=600 m CNY",
        "events.russia_distracted.value=1.5",
    ]
    assert comp.skipped == []
    run = sim.run(comp.path, seed=2, months=6, set=comp.applied)
    assert (
        [s.month for s in comp.history]
        == [s.month for s in model.history]
        == [-1, 0, 1, 2, 3, 4, 5]
    )
    np.testing.assert_allclose(
        comp.history[-1].influence, run.model.records.influence[5, 0], rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(comp.history[-1].member, run.model.world.member[0])
    russia = model.world.actor("Russia")
    qccm = model.world.bloc("QCCM")
    assert comp.history[-1].member[russia, qccm] and not model.history[-1].member[russia, qccm]
    assert readout(model, "Tajikistan", variant=True).startswith(
        "russia_joins_quartet: Tajikistan, month 5 (2016-08): China 0."
    )


def test_a_variant_picked_mid_run_catches_up_to_the_month_shown() -> None:
    model = DashboardModel(seed=1)
    for _ in range(5):
        model.step()
    model.set_variant("no_chinese_aid")
    comp = model.comparison
    assert comp is not None and len(comp.history) == len(model.history) == 6
    run = sim.run(comp.path, seed=1, months=5)
    np.testing.assert_allclose(comp.history[-1].influence, run.model.records.influence[4, 0])
    model.step()  # they step together
    assert comp.history[-1].month == model.history[-1].month == 5
    model.set_variant(NO_VARIANT)
    assert model.comparison is None and readout(model, "Tajikistan", variant=True) == ""


def test_changes_a_variant_has_no_place_for_are_skipped_and_listed() -> None:
    no_aid = DashboardModel(aid=0.0, attention=1.0, variant="no_chinese_aid").comparison
    assert no_aid is not None
    assert no_aid.skipped == ["events.china_aid_kabul.amount=0 m CNY"]
    assert no_aid.applied == ["events.russia_distracted.value=1"]
    refocused = DashboardModel(attention=1.0, variant="russia_refocuses").comparison
    assert refocused is not None and refocused.skipped == ["events.russia_distracted.value=1"]
    assert refocused.model.spec.patrons["Russia"].attention == 1.25  # the variant's own
    # controls left at the scenario's values change nothing in the variant
    attention = sim.load().events["russia_distracted"].value
    assert attention is not None
    same = DashboardModel(
        aid=300.0, attention=float(attention), decisiveness=1.0, variant="quartet_expands"
    )
    assert same.comparison is not None and same.comparison.applied == []


def test_a_control_left_alone_does_not_undo_the_variant(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    shutil.copy(default_scenario_path(), base)
    (tmp_path / "decisive.yaml").write_text(
        "extends: base.yaml\nname: decisive\nparameters:\n  decisiveness: 3\n"
    )
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    model = DashboardModel(scenario_path=base, decisiveness=1.0, variant="decisive")
    assert model.overrides[-1] == "parameters.decisiveness=1" and model.changes == []
    assert model.comparison is not None
    assert model.comparison.model.spec.parameters.decisiveness == 3.0
    moved = DashboardModel(scenario_path=base, decisiveness=2.0, variant="decisive")
    assert moved.comparison is not None
    assert moved.comparison.model.spec.parameters.decisiveness == 2.0  # the class's change

    # a broken file beside: one sentence on the page, and the base still runs
    model.set_variant("broken")
    assert model.comparison is None and model.variant_error is not None
    assert "broken.yaml" in model.variant_error and "\n" not in model.variant_error
    model.step()
    model.set_variant("nothing_here")
    assert model.variant_error is not None and "expected one of" in model.variant_error
    assert "broken" in model.variant_error and "decisive" in model.variant_error


def test_the_map_and_figures_draw_the_model_shown() -> None:
    model = DashboardModel(seed=1, variant="russia_joins_quartet")
    for _ in range(3):
        model.step()
    fig = map_figure(model, model.history[-1])
    patch = next(a for a in fig.axes[0].get_children() if a.get_gid() == "Tajikistan")
    dominant, shares = holders(model, model.history[-1])
    color = plots.patron_colors(model.world.patrons)[dominant["Tajikistan"] or ""]
    np.testing.assert_allclose(
        patch.get_facecolor()[:3], plots.shade(color, shares["Tajikistan"]), atol=1e-6
    )
    assert "month 2 (2016-05)" in fig.axes[0].get_title(loc="left")
    influence = influence_figure(model, "Tajikistan")
    assert {ln.get_label() for ln in influence.axes[0].get_legend().get_lines()} >= {
        "central_asia_2016",
        "russia_joins_quartet",
    }


def test_the_controls_follow_the_scenario_served() -> None:
    params = model_params(sim.load(), scenario_path="x")
    assert params["aid"]["value"] == 300 and params["aid"]["unit"] == "m CNY"
    assert params["aid"]["label"] == "China's aid to Afghanistan"
    assert params["attention"]["value"] == sim.load().events["russia_distracted"].value
    assert params["alignment_rule"]["values"][0] == AS_SCENARIO
    assert set(control_notes(sim.load())) == {k for k, v in params.items() if isinstance(v, dict)}

    no_aid = sim.load(SCENARIOS / "no_chinese_aid.yaml")
    assert "aid" not in model_params(no_aid, scenario_path="x")
    with pytest.raises(InputError, match="has no aid event"):
        control_overrides(no_aid, aid=100)

    refocused = sim.load(SCENARIOS / "russia_refocuses.yaml")  # no distraction event
    assert control_overrides(refocused, attention=0.5) == ["patrons.Russia.attention=0.5"]
    assert model_params(refocused, scenario_path="x")["attention"]["value"] == 1.25


def test_an_unknown_rule_is_refused_in_one_sentence() -> None:
    with pytest.raises(InputError, match=r"alignment_rule='loyalty': expected"):
        control_overrides(sim.load(), alignment_rule="loyalty")


def test_the_dashboard_answers_only_its_own_host_names() -> None:
    """DNS rebinding: another site's name in ``Host:`` is refused; IPs and localhost are not."""
    from sim.app import _hostname

    assert _hostname("[::1]:8765") == "::1" and _hostname("LocalHost.:8765") == "localhost"
    local = host_allowed("127.0.0.1")
    for ok in ("localhost", "127.0.0.1", "::1", "127.0.0.2", "app.localhost"):
        assert local(ok), ok
    for bad in ("evil.example", "localhost.evil.example", "192.168.1.5", "", "0.0.0.0"):
        assert not local(bad), bad
    everywhere = host_allowed("0.0.0.0", ["Classroom-PC.local"])
    for ok in ("classroom-pc.local", "192.168.1.5", "10.0.0.7", "fe80::1", "localhost"):
        assert everywhere(ok), ok
    assert not everywhere("evil.example") and not everywhere("classroom-pc.local.evil.example")
    named = host_allowed("classroom-pc.local")
    assert named("classroom-pc.local") and not named("192.168.1.5")


def _get(port: int, host: str, *, websocket: bool = False) -> tuple[int, str]:
    """A real GET to the served app with the given ``Host:`` header: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        path = "/jupyter/api/kernels/test/channels?session_id=test" if websocket else "/"
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        if websocket:
            conn.putheader("Upgrade", "websocket")
            conn.putheader("Connection", "Upgrade")
            conn.putheader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            conn.putheader("Sec-WebSocket-Version", "13")
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read().decode() if resp.status != 101 else ""
        return resp.status, body
    finally:
        conn.close()


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        main(args)
    return int(e.value.code or 0), capsys.readouterr().err


def test_bad_input_to_greatgame_app_is_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = _cli(["app", str(tmp_path / "nope.yaml")], capsys)
    assert code == 1 and err.startswith("error: ") and "no such scenario file" in err
    code, err = _cli(["app", "--port", "70000"], capsys)
    assert code == 1 and "expected a port number from 0 to 65535" in err
    code, err = _cli(["app", "--set", "patrons.China.budget=lots"], capsys)
    assert code == 1 and "patrons.China.budget" in err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = _cli(["app", "--port", str(port)], capsys)
    assert code == 1 and f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_greatgame_app_serves_the_page_and_stops_on_ctrl_c() -> None:
    exe = Path(sys.executable).with_name("greatgame")
    proc = subprocess.Popen(
        [str(exe), "app", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line, deadline = "", time.monotonic() + 60
        while "http" not in line and time.monotonic() < deadline and proc.poll() is None:
            if select.select([proc.stdout], [], [], 0.5)[0]:
                line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert m, f"no URL printed: {line!r}"
        with urllib.request.urlopen(m.group(0), timeout=30) as page:
            html = page.read().decode()
        assert page.status == 200 and "<title>greatgame</title>" in html
        assert "cdn.jsdelivr" not in html and "/_solara/cdn/" in html  # assets served locally

        # the Host header is checked: a DNS-rebinding page's name is refused, ours are not
        port = int(m.group(0).rsplit(":", 1)[1].strip("/"))
        status, body = _get(port, f"evil.example:{port}")
        assert status == 403 and "Host 'evil.example:" in body and body.count("\n") == 1
        assert _get(port, f"localhost:{port}")[0] == 200
        assert _get(port, f"[::1]:{port}")[0] == 200
        assert _get(port, f"evil.example:{port}", websocket=True)[0] == 403
        assert _get(port, f"127.0.0.1:{port}", websocket=True)[0] == 101
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
