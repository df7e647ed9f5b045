"""The encoder page in Chromium: the browser's all-MiniLM-L6-v2 equals the Python model.

Token ids must be identical; every attention weight (all layers and heads) and every cosine
similarity must agree within TOLERANCE. The word-embedding table is float16 in the browser
(aiguide/web/minilm.py), hence 1e-3 rather than the 1e-4 full precision would be held to.
Served over HTTP the model runs in a worker; from the offline copy (file://) on the page.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from tests.browser import open_page

pytestmark = [pytest.mark.browser, pytest.mark.models]

TOLERANCE = 1e-3
LIMIT = 128

TEXTS = [
    "The animal didn't cross the street because it was too tired.",
    "The bank approved my loan.",
    "We sat on the river bank.",
    "I love coding in Python 🎉",
    "Emoji of several ages: 😀 🥲 🫠 👩‍👩‍👧 🏳️‍🌈 ❤️",
    "東京は日本の首都です。",
    "北京欢迎你，我们一起学习人工智能。",
    "한국어 문장도 토큰으로 나뉩니다.",
    "naïve café résumé Ångström",
    "Combining accents: e\u0301 a\u0300 n\u0303 o\u0308 \u0301alone",
    "</script><img src=x onerror=alert(1)>",
    "<b>bold</b> &amp; &lt;tags&gt; \"quotes\" 'single'",
    "Special tokens typed in: [CLS] [SEP] [MASK] [UNK] [PAD] and [cls]",
    "Control\u0000char\u0007s, zero\u200bwidth, soft\u00adhyphen, BOM\ufeffhere",
    "Tabs\tand\u00a0non-breaking\u3000spaces\u2003everywhere",
    "Punctuation old and new: ⸻ ⹄ ⹒ § ¶ « » ¿¡ … — –",
    "İstanbul ΣΊΣΥΦΟΣ straße ẞ ǅ ﬁ Ⅷ ①",
    "Numbers 3.14159, 1,000,000 and 2026-12-07T07:00Z",
    "a" * 101 + " and " + "b" * 100,
    "unaffable antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "x",
    "?",
    "🎉",
    "\u200b",
    "URL https://example.com/path?q=1&r=2#frag and mail a.b@example.org",
    "Mixed العربية עברית ελληνικά русский हिन्दी ไทย",
    "math ∑ ∫ √ ≤ ≥ ≠ ∞ and arrows → ← ⇒",
    "C++ and C# and F# and $HOME and ~/.bashrc | grep ^x",
    " ".join(f"word{i}" for i in range(130)),  # far over the limit: cut to 128
    " ".join(["tokens"] * 126),  # exactly 128 with [CLS] and [SEP]
    " ".join(["tokens"] * 127),  # one over: cut
    "The lender accepted my mortgage application.",
]


def _floats(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


RUN = """async (texts) => {
  const runner = aigEncoderPage.runner;
  const out = await runner.run(texts);
  const b64 = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).toBase64();
  return {mode: runner.mode, ids: out.sentences.map((s) => s.ids),
          attentions: out.attentions.map(b64), similarity: out.similarity};
}"""


def load_model(page, timeout: int = 180_000) -> str:
    """Press the page's button like a reader and wait for the first result."""
    page.click(".aig-encoder button")
    page.wait_for_selector(".aig-encoder-results:not([hidden]) .aig-heat", timeout=timeout)
    return page.evaluate("aigEncoderPage.runner.mode")


def parity_problems(result: dict, texts: list[str]) -> list[str]:
    """Every way the browser's run differs from the Python model beyond TOLERANCE."""
    from aiguide.models.minilm import load_minilm
    from aiguide.retrieval import truncate

    model = load_minilm()
    problems, pooled = [], []
    for i, text in enumerate(texts):
        ids = truncate(model.encode(text), LIMIT)
        if result["ids"][i] != ids:
            problems.append(f"text {i} {text[:30]!r}: ids {result['ids'][i][:12]} != {ids[:12]}")
            continue
        hidden, attention = model.forward(ids)  # [n, e], [layers, heads, n, n]
        pooled.append(hidden.mean(axis=0))
        got = _floats(result["attentions"][i]).reshape(attention.shape)
        worst = float(np.abs(got - attention).max())
        if worst > TOLERANCE:
            problems.append(f"text {i} {text[:30]!r}: attention differs by {worst:.2e}")
    if not problems:
        vectors = np.stack(pooled) / np.linalg.norm(np.stack(pooled), axis=1, keepdims=True)
        expected = np.clip(vectors @ vectors.T, -1, 1)
        worst = float(np.abs(np.array(result["similarity"]) - expected).max())
        if worst > TOLERANCE:
            problems.append(f"cosine similarities differ by {worst:.2e}")
    return problems


@pytest.fixture(scope="module")
def served_page(browser, site_url):
    context, page, seen = open_page(browser, site_url + "try-it/encoder/")
    assert load_model(page) == "worker", "over HTTP the model runs in a worker"
    yield page, seen
    context.close()


def test_browser_encoder_equals_python_on_hostile_and_long_texts(served_page):
    page, seen = served_page
    assert len(TEXTS) >= 30
    result = page.evaluate(RUN, TEXTS)
    assert result["mode"] == "worker"
    assert max(len(ids) for ids in result["ids"]) == LIMIT
    assert not parity_problems(result, TEXTS)
    assert not seen["errors"] and not seen["failed"] and not seen["external"], seen


def test_parity_check_catches_a_wrong_token_id(served_page):
    page, _ = served_page
    result = page.evaluate(RUN, TEXTS[:2])
    result["ids"][1][2] += 1
    assert any("ids" in p for p in parity_problems(result, TEXTS[:2]))


def test_typed_markup_stays_text_and_long_input_is_cut_with_a_message(served_page):
    page, _ = served_page
    hostile = "</script><img src=x onerror=alert(1)>"
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    lines = [hostile, " ".join(["long"] * 200)] + [f"line {i}" for i in range(8)]
    page.fill("#aig-encoder-text", "\n".join(lines))
    page.click(".aig-encoder button")
    page.wait_for_function("document.querySelector('.aig-status').textContent.startsWith('Encoded 8')")
    results = page.locator(".aig-encoder-results")
    assert results.locator("img").count() == 0 and not dialogs
    assert hostile in results.locator(".aig-sim").inner_text()
    notes = page.inner_text(".aig-encoder-notes")
    assert "Only the first 8 lines" in notes and "2 more were left out" in notes
    assert "Sentence 2 has 202 tokens" in notes
    page.select_option("#aig-encoder-sentence", "1")
    assert page.locator(".aig-encoder .aig-heat tbody tr").count() == LIMIT


def test_pickers_redraw_the_heatmap_and_rows_reveal_weights_on_focus(served_page):
    page, _ = served_page
    page.fill("#aig-encoder-text", TEXTS[0] + "\n" + TEXTS[1])
    page.click(".aig-encoder button")
    page.wait_for_function("document.querySelector('.aig-status').textContent.startsWith('Encoded 2')")
    before = page.inner_html(".aig-encoder .aig-heat tbody")
    page.focus("#aig-encoder-layer")
    page.keyboard.press("ArrowDown")  # a keyboard change of layer
    assert "layer 2" in page.inner_text(".aig-encoder .aig-attention figcaption")
    assert page.inner_html(".aig-encoder .aig-heat tbody") != before
    row = page.locator(".aig-encoder .aig-heat tbody tr").nth(3)
    row.focus()
    tip = row.locator(".aig-tip")
    box = tip.bounding_box()
    assert box and box["width"] > 2 and "looks most at" in tip.inner_text()


def test_offline_copy_runs_the_model_on_the_page_and_parity_holds(browser, offline_site):
    context = browser.new_context()
    blocked: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((offline_site / "try-it" / "encoder.html").as_uri(), wait_until="load")
    assert load_model(page) == "page", "from file:// there is no worker: the page runs the model"
    texts = TEXTS[:4] + TEXTS[10:13] + TEXTS[-4:-2]
    result = page.evaluate(RUN, texts)
    assert result["mode"] == "page"
    assert not parity_problems(result, texts)

    # The same comparison fails once one weight of the first layer's queries is off.
    page.evaluate("aigEncoderPage.runner.weights['encoder.layer.0.attention.self.query.weight'][5] += 0.5")
    perturbed = page.evaluate(RUN, texts[:3])
    assert any("attention differs" in p for p in parity_problems(perturbed, texts[:3]))
    assert not blocked and not errors, (blocked, errors)
    context.close()


def test_pages_without_the_encoder_load_none_of_it(built_site):
    from tests.browser import content_pages

    # Links to the page (the nav, the playground) are fine; its scripts and files are not.
    users = [p for p in content_pages(built_site)
             if any(part in (built_site / p).read_text(encoding="utf-8")
                    for part in ("javascripts/encoder/", "assets/encoder/", "data-aig-encoder"))]
    assert users == ["try-it/encoder/index.html"], users
