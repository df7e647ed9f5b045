"""The decoding explorer in a real browser (Chromium): sliders driven from the keyboard,
numbers that match the Python arithmetic, going back, file:// and no JavaScript.

Without Chromium these tests are skipped on a developer machine (`make test` installs it);
in CI (CI=true) a missing browser is a failure.
"""

from __future__ import annotations

import pytest

from aiguide import store
from aiguide.render import html
from aiguide.render.decoding import TOLERANCE_ENTROPY, TOLERANCE_PROB, explore
from aiguide.spec import find_figures, parse_spec
from tests.browser import open_page, show
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

PAGE = "language-models-101/"
SOURCE = "docs/language-models-101/index.md"
FIGURE = "figure.aig-decoding-explorer"


@pytest.fixture(scope="module")
def stored() -> dict:
    """The data the page's explorer was built from."""
    markdown = (ROOT / SOURCE).read_text(encoding="utf-8")
    spec = next(s for s in (parse_spec(b.source) for b in find_figures(markdown, SOURCE))
                if s.kind == "decoding-explorer")
    return store.read_record(spec.key, store.DATA_DIR)["data"]


def readout(page) -> dict:
    """What the reader sees: the summary numbers, the slider values and the bars."""
    figure = page.locator(FIGURE).first
    show(figure)

    def text(name: str) -> str:
        return figure.locator(f'[data-aig="{name}"]').inner_text().strip()

    return {
        "kept": int(text("kept").replace(",", "")),
        "mass": text("mass"),
        "entropy": float(text("entropy")),
        "settings": text("settings"),
        "temperature": text("temperature-out"),
        "probs": figure.locator(".aig-bars .aig-num").all_inner_texts(),
        "out": figure.locator(".aig-bars li.aig-out").count(),
        "cut": figure.locator('[data-aig="cut"]').is_visible(),
    }


def percent(shown: str) -> float:
    """ "12.4%" → 0.124; "<0.1%" stands for anything below 0.1%."""
    return 0.0005 if shown == "<0.1%" else float(shown.rstrip("%")) / 100


def press(page, slider: str, key: str, times: int = 1) -> None:
    page.focus(f'{FIGURE} input[data-aig="{slider}"]')
    for _ in range(times):
        page.keyboard.press(key)


def test_keyboard_moves_the_temperature_and_the_readouts_follow(browser, site_url):
    context, page, seen = open_page(browser, site_url + PAGE, wait_until="load")
    errors = seen["errors"]
    figure = page.locator(FIGURE).first
    assert figure.locator(".aig-controls").is_visible(), "the script shows the sliders"
    start = readout(page)
    assert start["temperature"] == "0.7" and start["settings"].startswith("Temperature 0.7,")

    press(page, "temperature", "ArrowRight", 6)  # 0.7 → 1.0
    warmer = readout(page)
    assert warmer["temperature"] == "1" and warmer["settings"].startswith("Temperature 1,")
    assert warmer["entropy"] > start["entropy"]
    assert warmer["kept"] > start["kept"]

    press(page, "temperature", "End")
    hottest = readout(page)
    assert hottest["temperature"] == "2" and hottest["entropy"] > warmer["entropy"]

    press(page, "temperature", "Home")
    coldest = readout(page)
    assert coldest["temperature"] == "0.05"
    assert coldest["kept"] < start["kept"] and coldest["entropy"] < start["entropy"]
    assert coldest["cut"] and coldest["out"] == len(coldest["probs"]) - coldest["kept"]
    focused = page.evaluate("document.activeElement.dataset.aig")
    assert focused == "temperature", "the slider keeps the keyboard focus"
    assert not errors, errors
    context.close()


def test_numbers_in_the_browser_equal_the_python_computation(browser, site_url, stored):
    context, page, seen = open_page(browser, site_url + PAGE, wait_until="load")
    errors = seen["errors"]
    press(page, "temperature", "ArrowRight", 16)  # 0.7 → 1.5
    press(page, "top-k", "ArrowLeft", 5)  # all → 50
    press(page, "top-p", "ArrowLeft", 1)  # 0.9 → 0.85
    shown = readout(page)
    assert shown["settings"] == "Temperature 1.5, top-k 50, top-p 0.85"
    slider = page.locator(f'{FIGURE} input[data-aig="top-k"]')
    assert slider.get_attribute("aria-valuetext") == "50"

    python = explore(stored, 1.5, 50, 0.85)
    assert shown["kept"] == python.kept
    display = 0.0005  # half of the last digit shown (0.1 percentage point, 0.01 bits)
    assert abs(percent(shown["mass"]) - python.mass) <= display + TOLERANCE_PROB
    assert abs(shown["entropy"] - python.entropy) <= 0.005 + TOLERANCE_ENTROPY
    for seen, p in zip(shown["probs"], python.probs, strict=True):
        assert abs(percent(seen) - p) <= display + TOLERANCE_PROB, (seen, p)
    assert shown["probs"] == [html.pct(p) for p in python.probs]  # same rounding as Python
    assert not errors, errors
    context.close()


def test_explorer_still_works_after_going_back(browser, site_url):
    """Back from another page (restored from the back-forward cache or loaded again), the
    sliders still drive the figure."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url + PAGE, wait_until="networkidle")
    page.locator("article a[href$='ai-basics/']").first.click()
    page.wait_for_url("**/ai-basics/")
    page.go_back()
    page.wait_for_url(f"**/{PAGE}")
    page.wait_for_selector(f"{FIGURE} .aig-controls:not([hidden])")
    before = readout(page)
    press(page, "temperature", "ArrowLeft", 10)  # 0.7 → 0.2
    after = readout(page)
    assert after["temperature"] == "0.2"
    assert after["kept"] < before["kept"] and after["entropy"] < before["entropy"]
    assert not errors, errors
    context.close()


def test_explorer_works_from_a_file_url(browser, built_site):
    context, page, seen = open_page(browser, (built_site / PAGE / "index.html").as_uri(), wait_until="load")
    errors = seen["errors"]
    press(page, "top-k", "Home")  # top-k 1: greedy
    greedy = readout(page)
    assert greedy["kept"] == 1 and greedy["entropy"] == 0 and greedy["probs"][0] == "100.0%"
    assert not errors, errors
    context.close()


def test_without_javascript_the_static_bars_show_and_the_sliders_do_not(browser, site_url, stored):
    context, page, _ = open_page(browser, site_url + PAGE, wait_until="load", java_script_enabled=False)
    figure = page.locator(FIGURE).first
    show(figure)
    rows = figure.locator(".aig-bars li.aig-hover")
    assert rows.count() == stored["bars"]
    assert all(rows.nth(i).is_visible() for i in range(rows.count()))
    assert not figure.locator(".aig-controls").is_visible()
    assert not figure.locator("input[type='range']").first.is_visible()
    shown = readout(page)
    python = explore(stored, stored["temperature"], stored["top_k"], stored["top_p"])
    assert shown["kept"] == python.kept
    assert shown["probs"] == [html.pct(p) for p in python.probs]
    context.close()
