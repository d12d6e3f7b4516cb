"""The dashboard's model and command, without a browser (see test_app_browser.py for that).

What a class relies on: each control is the scenario override it claims to be,
so the page shows exactly what ``greatgame run --set ...`` computes; the
controls adapt to the scenario served; bad input to ``greatgame app`` is one
sentence and exit code 1; Ctrl-C stops the server cleanly.
"""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.app import (
    AS_SCENARIO,
    DashboardModel,
    control_notes,
    control_overrides,
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


def test_the_page_shows_what_greatgame_run_computes() -> None:
    model = DashboardModel(attention=1.2, decisiveness=1.5, seed=3)
    for _ in range(12):
        model.step()
    run = sim.run(default_scenario_path(), seed=3, months=12, set=model.overrides)
    recorded = run.model.records.influence[11, 0]  # month 11 of run 0: (patrons, states)
    np.testing.assert_allclose(model.history[-1].influence, recorded, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(model.history[-1].member, run.model.world.member[0])
    assert len(model.history) == 13  # the start and twelve months
    text = readout(model, "Tajikistan")
    assert text.startswith("Tajikistan, end of 2017-02 (month 12): China 0.")
    share = run.summary["final_influence"]["Russia"]["Tajikistan"]
    assert f"Russia {share:.3f}" in text


def test_the_controls_follow_the_scenario_served() -> None:
    params = model_params(sim.load(), scenario_path="x")
    assert params["aid"]["value"] == 300 and params["aid"]["label"].endswith("(m CNY)")
    assert params["attention"]["value"] == 0.6
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
