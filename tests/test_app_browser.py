"""The dashboard in a real browser: ``greatgame app`` served on loopback, driven by Chromium.

A headless Debian Chromium (``/usr/bin/chromium``; Playwright cannot download
its own browser on these machines) opens the page that ``greatgame app``
serves, finds the map and the influence plot, steps the model, moves a
control, resets, steps again, plays, and checks what a class would rely on:
the plot changes, the numbers on the page are exactly the model's for the
controls' values, and no request leaves 127.0.0.1 (the page works offline).
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
from urllib.parse import urlsplit

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


def test_dashboard_steps_reacts_to_a_control_and_stays_offline(served: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    from sim.app import DashboardModel, readout

    origin = urlsplit(served).netloc
    requests: list[str] = []
    bad: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: bad.append(f"failed: {r.url}"))
            page.on(
                "response",
                lambda r: bad.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
            )
            page.on("pageerror", lambda e: bad.append(f"page error: {e}"))
            page.goto(served, wait_until="domcontentloaded")

            # the map and the plot are there
            the_map = page.locator(".gg-map img")
            plot = page.locator(".gg-influence img")
            text = page.locator(".gg-readout")
            expect(the_map).to_be_visible(timeout=60_000)
            expect(plot).to_be_visible(timeout=60_000)
            expect(text).to_contain_text("(month 0)")
            assert text.inner_text() == readout(DashboardModel(), STATE)
            plot_start = plot.screenshot()
            map_start = the_map.screenshot()

            # Step three months: the plot and the map move
            step = page.get_by_role("button", name="Step")
            for month in (1, 2, 3):
                step.click()
                expect(text).to_contain_text(f"(month {month})", timeout=20_000)
            base = DashboardModel()
            for _ in range(3):
                base.step()
            assert text.inner_text() == readout(base, STATE)
            plot_base = plot.screenshot()
            assert plot_base != plot_start
            assert the_map.screenshot() != map_start

            # move a control: Russia's attention while distracted, to the slider's top
            slider = page.locator(".v-input", has_text="Russia's attention").locator(
                "[role=slider]"
            )
            expect(slider).to_have_attribute("aria-valuenow", "0.6")
            slider.focus()
            slider.press("End")
            expect(slider).to_have_attribute("aria-valuenow", "2")
            page.get_by_role("button", name="Reset").click()
            expect(page.locator(".gg-run")).to_contain_text("events.russia_distracted.value=2")
            expect(text).to_contain_text("(month 0)", timeout=20_000)
            for month in (1, 2, 3):
                step.click()
                expect(text).to_contain_text(f"(month {month})", timeout=20_000)

            # the page shows exactly the model run with that control, and it differs
            moved = DashboardModel(attention=2.0)
            for _ in range(3):
                moved.step()
            shown = text.inner_text()
            assert shown == readout(moved, STATE)
            assert _share(shown, "Russia") > _share(readout(base, STATE), "Russia")
            assert plot.screenshot() != plot_base

            # Play runs on by itself, month after month, until paused
            page.get_by_role("button", name="▶").click()
            expect(text).to_contain_text(re.compile(r"\(month ([6-9]|\d\d+)\)"), timeout=40_000)
            page.get_by_role("button", name="❚❚").click()
            expect(page.get_by_role("button", name="▶")).to_be_enabled(timeout=20_000)

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
    assert (ROOT / "out" / "dashboard.png").stat().st_size > 50_000
