"""The reader's experience in a real browser (Chromium): errors, network, search, figures,
accessibility, phones and the offline copy opened from file://.

Without Chromium these tests are skipped on a developer machine (`make test` installs it);
in CI (CI=true) a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser import AXE, content_pages, open_page, show
from tests.conftest import ROOT

pytestmark = pytest.mark.browser




def search(page, query: str) -> list[str]:
    """Type a query like a reader and return the result links.

    The search index loads in a worker after the page; a query typed before it is ready
    gets no answer, so we type again (up to a minute) until results appear.
    """
    for _ in range(12):
        page.fill("input.md-search__input", "")
        page.type("input.md-search__input", query, delay=20)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=5_000)
            break
        except PlaywrightTimeoutError:  # the index was not ready: type it again
            continue
    return page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")


def test_every_page_loads_without_errors_and_makes_no_external_request(browser, built_site, site_url):
    problems = []
    for path in content_pages(built_site):
        context, _, seen = open_page(browser, site_url + path)
        for kind, urls in seen.items():
            problems += [f"{path}: {kind}: {u}" for u in urls]
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("query, expected_page", [
    ("attention", "ai-basics/"),
    ("embedding", "ai-basics/"),
    ("embedding", "embeddings-and-rag/"),
    ("quantization", "running-llms-locally/"),
    ("LoRA", "fine-tuning/"),
    ("diffusion", "beyond-text/"),
    ("tokenizer", "ai-basics/"),
    ("conventions", "contributing/conventions/"),
    ("tools agents", "tools-and-agents/"),
])
def test_search_finds_the_right_page(browser, site_url, query, expected_page):
    context, page, _ = open_page(browser, site_url)
    links = search(page, query)
    assert any(expected_page in link for link in links), links
    context.close()


def test_figures_have_text_alternatives_and_keyboard_targets(browser, site_url):
    context, page, _ = open_page(browser, site_url + "contributing/figures/")
    figures = page.query_selector_all("figure.aig-figure")
    assert len(figures) == 8
    for figure in figures:
        show(figure)
        box = figure.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50
        assert figure.query_selector("figcaption").inner_text().strip()
        assert figure.query_selector("[tabindex='0']"), "every figure has a keyboard target"
    context.close()


def test_stylesheet_links_stay_as_built_after_the_page_starts(browser, site_url):
    """Material's instant navigation rewrites every relative href to an absolute URL when a
    page starts, which makes Chromium reload and reapply each stylesheet and restyle the
    whole page again; the site does without it (mkdocs.yml says why)."""
    context, page, _ = open_page(browser, site_url + "ai-basics/")
    hrefs = page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href'))")
    assert hrefs and all(h.startswith("../") for h in hrefs), hrefs
    context.close()


def test_code_blocks_get_their_buttons_when_they_come_into_view(browser, site_url):
    """content.lazy (mkdocs.yml): Material mounts a code block, which measures it and adds
    its copy button, when the reader first scrolls to it, not all of them as the page starts."""
    context, page, _ = open_page(browser, site_url + "language-models-101/", viewport={"width": 412, "height": 823})
    last = page.locator(".highlight").last
    assert last.locator("[data-md-type='copy']").count() == 0, "every code block was mounted at start"
    last.scroll_into_view_if_needed()
    last.locator("[data-md-type='copy']").wait_for(state="attached", timeout=5000)
    context.close()


# What overrides/partials/page-start.html and extra.css promise: the classes Material's
# bundle would set are on <html> before the body, Material's color-scheme meta stays out,
# <html> carries the palette's colour scheme instead, both ways, and code blocks that
# scroll are focusable before Material mounts them.
START_STATE = """() => ({
  classes: [...document.documentElement.classList].sort().join(" "),
  focusVisible: document.documentElement.hasAttribute("data-js-focus-visible"),
  metas: document.querySelectorAll("meta[name=color-scheme]").length,
  scheme: getComputedStyle(document.documentElement).colorScheme,
  heldTables: document.querySelectorAll(".aig-table-holder > .md-typeset__scrollwrap table").length,
  tables: document.querySelectorAll("article table:not([class])").length,
  scrollingBlocks: [...document.querySelectorAll(".md-content pre > code")]
    .filter(code => code.scrollWidth > code.offsetWidth).map(code => code.getAttribute("tabindex")),
})"""


def test_the_page_starts_with_materials_classes_and_scheme_set_in_head(browser, site_url):
    context = browser.new_context(color_scheme="light", viewport={"width": 412, "height": 823})
    page = context.new_page()
    # The classes as <body> arrives, before Material's bundle (at the end of it) runs.
    page.add_init_script("""new MutationObserver((_, seen) => {
      if (document.body) { window.aigClassesAtBody = document.documentElement.className; seen.disconnect(); }
    }).observe(document, {childList: true, subtree: true});""")
    page.goto(site_url + "language-models-101/", wait_until="networkidle")
    assert page.evaluate("window.aigClassesAtBody") == "js js-focus-visible"
    state = page.evaluate(START_STATE)
    assert state["classes"] == "js js-focus-visible" and state["focusVisible"], state
    assert state["metas"] == 0, "Material's color-scheme meta is in the document"
    assert state["scheme"] == "light", state
    assert state["tables"] and state["heldTables"] == state["tables"], "a table outside its holder"
    # Before any code block is mounted (content.lazy), each that scrolls sideways is a Tab stop.
    assert state["scrollingBlocks"] and set(state["scrollingBlocks"]) == {"0"}, state["scrollingBlocks"]
    page.click("label[for='__palette_1']")  # system preference → light
    page.click("label[for='__palette_2']")  # light → dark
    assert page.evaluate(START_STATE)["scheme"] == "dark"
    context.close()


# Each tip shown by focus, as hover and focus show it; its box must lie inside its figure's
# top and bottom, since an off-screen figure's paint containment (content-visibility: auto)
# would clip what spills out. (Sideways, overflow-x: clip already keeps the page narrow.)
TIPS_OUTSIDE_THEIR_FIGURE = """() => {
  const outside = [];
  for (const figure of document.querySelectorAll("figure.aig-figure")) {
    figure.scrollIntoView();
    for (const row of figure.querySelectorAll(".aig-hover")) {
      const target = row.matches("[tabindex]") ? row : row.querySelector("[tabindex]");
      const tip = row.querySelector(":scope > .aig-tip, :scope > th > .aig-tip");
      if (!target || !tip) continue;
      target.focus();
      const f = figure.getBoundingClientRect(), r = tip.getBoundingClientRect();
      if (r.height > 2 && (r.top < f.top - 1 || r.bottom > f.bottom + 1))
        outside.push(`${figure.id}: ${tip.textContent.slice(0, 40)}`);
      target.blur();
    }
  }
  return outside;
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_figure_tips_open_inside_their_figure(browser, built_site, site_url, width):
    outside, shown = [], 0
    for path in content_pages(built_site):
        context, page, _ = open_page(browser, site_url + path, viewport={"width": width, "height": 800})
        if page.query_selector("figure.aig-figure .aig-tip"):
            shown += 1
            outside += [f"{path} {spot}" for spot in page.evaluate(TIPS_OUTSIDE_THEIR_FIGURE)]
        context.close()
    assert shown >= 4, "no figure tips were checked"
    assert not outside, "\n".join(outside[:20])


def test_no_horizontal_scroll_on_a_phone(browser, built_site, site_url):
    wide = []
    for path in content_pages(built_site):
        context, page, _ = open_page(browser, site_url + path, viewport={"width": 360, "height": 740})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide.append(f"{path}: {overflow}px wider than the screen")
        context.close()
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(browser, built_site, site_url, scheme):
    if not AXE.exists():  # as for Chromium: only CI must have it (the README says so)
        message = f"axe-core is missing at {AXE}: install npm, then run `make setup`"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    found = []
    for path in content_pages(built_site):
        context, page, _ = open_page(browser, site_url + path, color_scheme=scheme)
        # Off-screen figures are not rendered (content-visibility: auto), and axe cannot
        # judge the contrast of text the browser has not drawn: draw everything first.
        page.add_style_tag(content="* { content-visibility: visible !important; }")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"][:3]]
                found.append(f"{path} [{scheme}]: {violation['id']} ({violation['impact']}): {targets}")
        context.close()
    assert not found, "\n".join(found)


def test_offline_zip_works_from_file_url_with_the_network_blocked(browser, tmp_path):
    """The zip `make offline` writes, not one made here: unpacked anywhere, it must work."""
    out = tmp_path / "dist" / "ai-guide-offline"
    made = subprocess.run(["make", "--no-print-directory", "offline", f"OFFLINE_DIR={out}",
                           f"PYTHON={sys.executable}"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    archive = out.parent / "ai-guide-offline.zip"
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as zipped:
        assert "ai-guide-offline/ai-guide.pdf" in zipped.namelist(), "the PDF is inside the zip"
        zipped.extractall(unpacked)
    index = unpacked / "ai-guide-offline" / "index.html"

    context = browser.new_context()
    blocked: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.goto(index.as_uri(), wait_until="load")
    page.click("a[href$='ai-basics/index.html']")
    page.wait_for_load_state("load")
    assert page.url.endswith("ai-basics/index.html")
    assert page.query_selector_all("figure.aig-figure"), "figures render offline"
    assert search(page, "attention"), "search works offline"
    assert not blocked, f"requests that tried to leave the machine: {json.dumps(blocked)}"
    context.close()


def test_palette_choice_persists_across_pages(browser, site_url):
    context, page, _ = open_page(browser, site_url, color_scheme="light")
    # Material turns the labels' titles into its own tooltips, so find them by target.
    page.click("label[for='__palette_1']")  # system preference → light
    page.click("label[for='__palette_2']")  # light → dark
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    page.goto(site_url + "ai-basics/", wait_until="networkidle")
    assert page.get_attribute("body", "data-md-color-scheme") == "slate", \
        "the reader's dark-mode choice was forgotten on the next page"
    context.close()


def test_code_copy_button_copies_the_code(browser, site_url):
    context, page, _ = open_page(browser, site_url + "contributing/conventions/",
                                 permissions=["clipboard-read", "clipboard-write"])
    block = page.locator(".highlight").first
    block.scroll_into_view_if_needed()  # content.lazy: Material adds the button in view
    page.wait_for_selector(".highlight [data-md-type='copy']")
    block = page.query_selector(".highlight:has([data-md-type='copy'])")
    block.hover()
    block.query_selector("[data-md-type='copy']").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    shown = block.query_selector("code").inner_text()
    assert copied.strip() and copied.strip() == shown.strip()
    context.close()




def test_figures_work_after_a_page_change(browser, site_url):
    """Reached from another page by a click, figures and their tips work as on a first load."""
    context = browser.new_context()
    page = context.new_page()
    seen = {"errors": []}
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(site_url, wait_until="networkidle")
    page.click("a.md-tabs__link[href$='ai-basics/']")
    page.wait_for_selector("figure.aig-figure")
    chip = page.query_selector("figure.aig-tokens .aig-hover")
    tip = chip.query_selector(".aig-tip")

    def revealed() -> bool:  # visually hidden tips (still read by screen readers) are 1 px
        box = tip.bounding_box()
        return bool(box and box["width"] > 2 and box["height"] > 2)

    assert not revealed()
    chip.hover()
    assert revealed() and "id " in tip.inner_text(), "hovering a token shows its id"
    page.mouse.move(0, 0)
    assert not revealed()
    chip.focus()
    assert revealed(), "keyboard focus shows the same tip"
    page.keyboard.press("Escape")
    assert not revealed(), "Escape dismisses the tip"
    assert not seen["errors"], seen["errors"]
    context.close()


def test_search_result_lands_on_the_right_section(browser, site_url):
    context, page, _ = open_page(browser, site_url)
    search(page, "temperature")
    result = page.locator(".md-search-result__item a[href*='language-models-101/'][href$='#temperature']")
    assert result.count(), "the Language models 101 section on temperature is not among the results"
    result.first.click()
    page.wait_for_function("location.hash === '#temperature'")
    heading = page.locator("[id='temperature']")
    heading.wait_for()
    box = heading.bounding_box()
    assert heading.is_visible() and 0 <= box["y"] < 400, f"the section is not on screen: {box}"
    context.close()


def test_notebook_pages_keep_their_styles_after_the_css_is_slimmed(browser, built_site, site_url):
    """hooks/notebooks.py drops CSS rules; a broken selector would make the browser skip the
    rest of the sheet. The hidden copy-to-clipboard text of each code cell is the canary: its
    rule comes after most of the sheet, and if it fails every cell shows its code twice."""
    pages = [p for p in content_pages(built_site) if p.startswith("notebooks/")]
    assert pages
    for path in pages:
        context, page, _ = open_page(browser, site_url + path.removesuffix("index.html"))
        shown = page.evaluate("""() => [...document.querySelectorAll('.clipboard-copy-txt')]
            .filter(e => getComputedStyle(e).display !== 'none').length""")
        prompts = page.evaluate("""() => [...document.querySelectorAll('.jp-InputPrompt')]
            .filter(e => e.getBoundingClientRect().width > 0).length""")
        context.close()
        assert shown == 0, f"{path}: {shown} hidden code copies are visible"
        assert prompts > 0, f"{path}: no visible In [n] prompts"


def test_attention_rows_reveal_their_weights_on_hover_and_focus(browser, site_url):
    """Each row of an attention heatmap names where that token looks, with the weights."""
    context, page, _ = open_page(browser, site_url + "ai-basics/")
    row = page.query_selector("figure.aig-attention tr.aig-hover")
    tip = row.query_selector(".aig-tip")

    def revealed() -> bool:
        box = tip.bounding_box()
        return bool(box and box["width"] > 2 and box["height"] > 2)

    row.scroll_into_view_if_needed()
    assert not revealed()
    row.hover()
    assert revealed() and "%" in tip.inner_text(), "hovering a row shows its attention weights"
    page.mouse.move(0, 0)
    row.focus()
    assert revealed(), "keyboard focus shows the same weights"
    context.close()
