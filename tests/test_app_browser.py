"""The dashboard in a real browser: ``greatgame app`` served on loopback, driven by Chromium.

A headless Debian Chromium (``/usr/bin/chromium``; Playwright cannot download
its own browser on these machines) opens the page that ``greatgame app``
serves, steps the model, moves a slider, resets, steps again, picks a variant
to run beside, plays, and checks what a class would rely on: the header's month
and the numbers on the page are exactly what ``sim.run`` computes for that
month with the overrides the page lists (base and variant), the plots move,
Mesa's developer controls are hidden, and no request leaves 127.0.0.1 (the
page works offline).

The test ends with a screenshot of the page: ``out/dashboard.png``, and the
README's ``docs/img/dashboard.png`` when ``GREATGAME_SCREENSHOT`` names it
(``make screenshot``).
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
]
STATE = "Tajikistan"  # the dashboard's default state: the article's crux
VARIANT = "russia_joins_quartet"


def _greatgame() -> list[str]:
    exe = Path(sys.executable).with_name("greatgame")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """``greatgame app --port 0`` as a subprocess; yields the URL it prints, then kills it."""
    env = dict(os.environ)
    # Any asset the server lacks locally would be fetched from this dead loopback "CDN" and
    # fail: so a page that loads proves that no front-end file needs the internet.
    env["SOLARA_ASSETS_CDN"] = "http://127.0.0.1:9/npm/"
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [*_greatgame(), "app", "--port", "0", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: killed as one below
    )
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            if proc.poll() is not None:
                err = proc.stderr.read() if proc.stderr else ""
                pytest.fail(f"greatgame app exited with {proc.returncode}: {err}")
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
            if ready:
                line = proc.stdout.readline()
                m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
                url = m.group(1) if m else None
        assert url is not None, "greatgame app printed no URL within 90 s"
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _share(readout: str, patron: str) -> float:
    m = re.search(rf"{patron} (\d\.\d+)", readout)
    assert m, f"no {patron} share in {readout!r}"
    return float(m.group(1))


def _expected(path: Path, overrides: list[str], month: int, *, prefix: str = "") -> str:
    """The readout for ``month`` as ``sim.run`` computes it (seed 1), from its tidy frame."""
    import sim

    run = sim.run(path, seed=1, months=month + 1, set=overrides)
    rows = run.influence[(run.influence["month"] == month) & (run.influence["target"] == STATE)]
    share = dict(zip(rows["patron"].astype(str), rows["influence"], strict=True))
    patrons = run.model.world.patrons
    date = str(pd.Period(rows["date"].iloc[0], freq="M"))
    top = max(patrons, key=lambda p: share[p])
    dom = top if share[top] > 0 else "nobody"
    shares = ", ".join(f"{p} {share[p]:.3f}" for p in patrons)
    return f"{prefix}{STATE}, month {month} ({date}): {shares}; dominant: {dom}"


def _items(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts() if t.strip() != "none"]


def test_dashboard_matches_sim_run_for_steps_controls_and_a_variant(served: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    from sim.app import DashboardModel, readout, variant_files
    from sim.scenario import default_scenario_path, load_scenario

    base_path = default_scenario_path()
    variant_path = variant_files(base_path)[VARIANT]
    origin = urlsplit(served).netloc
    requests: list[str] = []
    bad: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1650})
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: bad.append(f"failed: {r.url}"))
            page.on(
                "response",
                lambda r: bad.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
            )
            page.on("pageerror", lambda e: bad.append(f"page error: {e}"))
            page.goto(served, wait_until="domcontentloaded")

            # the map and the plot are there; the header says what is shown: the start
            the_map = page.locator(".gg-map img")
            plot = page.locator(".gg-influence img")
            text = page.locator(".gg-readout")
            month = page.locator(".gg-when .gg-month")
            expect(the_map).to_be_visible(timeout=60_000)
            expect(plot).to_be_visible(timeout=60_000)
            expect(month).to_have_text("start of 2016-03 (before month 0)")
            assert text.inner_text() == readout(DashboardModel(), STATE)
            # Mesa's developer controls are not shown to a class
            for hidden in ("Use Threads", "Render Interval", "Time:", "Play Interval"):
                expect(page.get_by_text(hidden)).to_have_count(0)
            plot_start, map_start = plot.screenshot(), the_map.screenshot()

            # Step three months: month 2, as sim.run computes it
            step = page.get_by_role("button", name="Step")
            for m in (0, 1, 2):
                step.click()
                expect(month).to_have_text(re.compile(rf"^month {m} \("), timeout=20_000)
            expect(text).to_have_text(_expected(base_path, [], 2))
            assert plot.screenshot() != plot_start and the_map.screenshot() != map_start

            # a slider shows its value and unit; moved and applied with Reset
            control = page.locator(".gg-control-attention")
            distracted = load_scenario(base_path).events["russia_distracted"].value
            expect(control.locator(".gg-value")).to_have_text(
                f"{distracted:g} × its regional budget"
            )
            slider = control.locator("[role=slider]")
            slider.focus()
            slider.press("End")
            expect(control.locator(".gg-value")).to_have_text("2 × its regional budget")
            expect(page.locator(".gg-pending")).to_contain_text("Press Reset to apply")
            page.get_by_role("button", name="Reset").click()
            expect(month).to_have_text("start of 2016-03 (before month 0)", timeout=20_000)
            expect(page.locator(".gg-overrides")).to_contain_text(
                "events.russia_distracted.value=2"
            )
            expect(page.locator(".gg-pending")).to_have_count(0)
            overrides = _items(page, ".gg-overrides li")
            for m in (0, 1, 2):
                step.click()
                expect(month).to_have_text(re.compile(rf"^month {m} \("), timeout=20_000)
            moved = _expected(base_path, overrides, 2)
            expect(text).to_have_text(moved)
            assert _share(moved, "Russia") > _share(_expected(base_path, [], 2), "Russia")

            # pick a variant: it runs beside, caught up to month 2, with the class's change
            page.locator(".gg-compare .v-select").click()
            page.locator(".v-overlay .v-list-item", has_text=VARIANT).click()
            beside = page.locator(".gg-readout-variant")
            expect(beside).to_contain_text(f"{VARIANT}: {STATE}, month 2 ", timeout=30_000)
            expect(page.locator(".gg-variant img")).to_be_visible()
            applied = _items(page, ".gg-variant-overrides li")
            assert applied == ["events.russia_distracted.value=2"]
            expect(beside).to_have_text(_expected(variant_path, applied, 2, prefix=f"{VARIANT}: "))
            step.click()  # they step together
            expect(month).to_have_text(re.compile(r"^month 3 \("), timeout=20_000)
            expect(text).to_have_text(_expected(base_path, overrides, 3))
            expect(beside).to_have_text(_expected(variant_path, applied, 3, prefix=f"{VARIANT}: "))

            # Play runs on by itself, month after month, both together, until paused
            page.get_by_role("button", name="▶").click()
            expect(month).to_have_text(
                re.compile(r"^month (1[2-9]|[2-9]\d|1\d\d) "), timeout=60_000
            )
            page.get_by_role("button", name="❚❚").click()
            expect(page.get_by_role("button", name="▶")).to_be_enabled(timeout=20_000)

            # a step in flight when Pause was pressed may still land: wait until the header
            # and the readout agree on one month and stay there
            def shown() -> tuple[int, int]:
                head = int(re.findall(r"month (\d+)", month.inner_text())[0])
                return head, int(re.findall(r"month (\d+)", text.inner_text())[0])

            deadline = time.monotonic() + 30
            last = shown()
            while time.monotonic() < deadline:
                page.wait_for_timeout(750)
                current = shown()
                if current == last and current[0] == current[1]:
                    break
                last = current
            now = last[0]
            expect(text).to_have_text(_expected(base_path, overrides, now))
            expect(beside).to_contain_text(f"{VARIANT}: {STATE}, month {now} ")

            out = ROOT / "out"
            out.mkdir(exist_ok=True)
            page.screenshot(path=str(out / "dashboard.png"), full_page=True)
        finally:
            browser.close()

    assert requests, "the browser made no requests at all"
    elsewhere = [u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")]
    elsewhere = [u for u in elsewhere if urlsplit(u).netloc != origin]
    assert elsewhere == [], f"requests left {origin}: {elsewhere[:5]}"
    assert bad == [], f"failed requests or page errors: {bad[:5]}"
    shot = ROOT / "out" / "dashboard.png"
    assert shot.stat().st_size > 50_000
    if os.environ.get("GREATGAME_SCREENSHOT"):  # make screenshot: the README's picture
        target = ROOT / os.environ["GREATGAME_SCREENSHOT"]
        target.write_bytes(shot.read_bytes())
