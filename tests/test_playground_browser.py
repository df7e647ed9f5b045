"""The tokenizer playground in Debian's Chromium: the browser's tokens equal the Python
tokenizers' (aiguide/models/tokenizers.py) exactly, hostile and large input stay harmless,
nothing loads before it is used, and it works from the offline copy opened from disk."""

from __future__ import annotations

import pytest

from aiguide.models.tokenizers import render_chat, tokenize
from tests.browser import content_pages, open_page
from tests.playground_corpus import HAND, corpus

pytestmark = [pytest.mark.browser, pytest.mark.models]

PAGE = "try-it/tokenizers/"
START = """async (names) => {
  const s = JSON.parse(document.querySelector('.aig-tokplay-settings').dataset.settings);
  await aigTokBoot.start(s);
  await aigTok.loadData({tokenizers: s.files}, s.data, names);
}"""
RUN = """({name, texts, special, chat}) =>
  texts.map((t) => aigTok.tokenize(name, chat ? aigTok.chat(t) : t, special))"""
NAMES = ["cl100k_base", "minilm", "smollm2"]
# (tokenizer, special, chat): plain text, special tokens recognised, and SmolLM2's chat template
VARIANTS = [(n, s, False) for n in NAMES for s in (False, True)] + [("smollm2", True, True)]


def expected(name: str, text: str, special: bool, chat: bool) -> list[dict]:
    if chat:
        text = render_chat([{"role": "user", "content": text}], add_generation_prompt=True)
    tokens = tokenize(name, text, special=special)
    if name == "minilm":  # tokenizers.js gives no offsets: compare ids and pieces
        return [{"id": t["id"], "text": t["text"]} for t in tokens]
    return [dict(t) for t in tokens]


def shown(tokens: list[dict], name: str) -> list[dict]:
    if name == "minilm":
        return [{"id": t["id"], "text": t["text"]} for t in tokens]
    return tokens


@pytest.fixture(scope="module")
def engine(browser, site_url):
    context, page, seen = open_page(browser, site_url + PAGE)
    page.evaluate(START, NAMES)
    yield page
    assert not seen["external"], seen["external"]
    context.close()


def mismatches(page, name: str, texts: list[str], special: bool, chat: bool) -> list[str]:
    got = page.evaluate(RUN, {"name": name, "texts": texts, "special": special, "chat": chat})
    return [f"{t!r}: browser {shown(g, name)[:8]}…, Python {expected(name, t, special, chat)[:8]}…"
            for t, g in zip(texts, got) if shown(g, name) != expected(name, t, special, chat)]


def wait_ids(page, name: str, ids: list[int]) -> None:
    """Until the row shows exactly these ids (typing re-tokenizes after a short pause)."""
    page.wait_for_function(
        "([name, ids]) => { const r = document.querySelector(`[data-tokenizer=${name}]`);"
        " return r && r.dataset.ids === ids; }", arg=[name, " ".join(map(str, ids))])


def test_the_corpus_is_large_and_has_the_hard_cases():
    texts = corpus()
    assert len(texts) >= 300
    assert all(case in texts for case in HAND)


@pytest.mark.parametrize(("name", "special", "chat"), VARIANTS,
                         ids=[f"{n}-{'chat' if c else 'special' if s else 'plain'}" for n, s, c in VARIANTS])
def test_browser_tokens_equal_python_tokens(engine, name, special, chat):
    bad = mismatches(engine, name, corpus(), special, chat)
    assert not bad, f"{len(bad)} texts differ, e.g.\n" + "\n".join(bad[:5])


LONG_PIECES = ["机器学习是人工智能的一个分支" * 357, "a" * 5000, "👩🏿‍💻" * 700, "1234567890" * 500]


@pytest.mark.parametrize("name", NAMES)
def test_pieces_thousands_of_bytes_long_equal_python(engine, name):
    """Text with no space the pre-tokenizer can split at (5,000 characters of Chinese are
    one 15,000-byte piece): merged with the heap in tokplay.js, not js-tiktoken's rescans,
    which took 39 s on this one."""
    bad = mismatches(engine, name, LONG_PIECES, False, False)
    assert not bad, "\n".join(bad)


def test_a_wrong_merge_rank_is_caught(browser, site_url):
    """The parity check bites: swap two early SmolLM2 merges in the page and texts differ."""
    context, page, _ = open_page(browser, site_url + PAGE)
    page.evaluate(START, ["smollm2", "cl100k_base"])
    page.evaluate("""() => {
      const m = aigTok._payloads.smollm2.merges; m.push(m.shift());  // "Ġ t" ranked last
      const r = aigTok._payloads.cl100k_base;
      r.bpe_ranks = r.bpe_ranks.replace(/^! 0 (\\S+) (\\S+)/, "! 0 $2 $1");
      aigTok._reset();
    }""")
    texts = corpus()
    assert mismatches(page, "smollm2", texts, False, False)
    context.close()


def test_typed_markup_stays_text_and_shows_in_all_three_tokenizers(browser, site_url):
    context, page, seen = open_page(browser, site_url + PAGE)
    page.on("dialog", lambda d: seen["errors"].append("dialog: " + d.message))
    text = "</script><img src=x onerror=alert(1)>"
    page.fill("#aig-tokplay-text", text)
    for name in NAMES:  # a timeout here means the browser never showed Python's ids
        wait_ids(page, name, [t["id"] for t in tokenize(name, text)])
    assert page.locator("form[data-aig-tokplay] img").count() == 0
    assert "img" in page.locator("[data-tokenizer=cl100k_base] ol").inner_text()
    assert "?text=" in page.get_attribute("[data-aig=share]", "href")
    assert not seen["errors"] and not seen["external"]
    context.close()


def test_input_over_the_limit_is_cut_with_a_message(browser, site_url):
    """A paste past 5,000 characters: the message, and every row drawn in full (the chips
    arrive in batches of BATCH, one task each) for exactly the first 5,000 characters."""
    context, page, seen = open_page(browser, site_url + PAGE)
    text = "".join(f"word{i} <b>{i}</b> naïve 🤖\n" if i % 7 == 0 else f"word{i} " for i in range(1200))
    assert len(text) > 6000 and text.isascii() is False
    page.fill("#aig-tokplay-text", text)
    page.wait_for_function("() => document.querySelector('[data-aig=note]').textContent.includes('5,000')")
    assert f"{len(text):,}" in page.inner_text("[data-aig=note]")
    for name in NAMES:
        ids = [t["id"] for t in tokenize(name, text[:5000])]
        assert len(ids) > 1000  # several batches of chips
        wait_ids(page, name, ids)
        assert page.locator(f"[data-tokenizer={name}] .aig-chip").count() == len(ids)
        assert page.get_attribute(f"[data-tokenizer={name}] ol", "aria-busy") is None
    assert not seen["errors"]
    context.close()


def test_share_link_reproduces_the_text_and_the_chat_toggle(browser, site_url):
    text = "Intro\n\n1. First <|im_start|>"
    from urllib.parse import quote

    context, page, _ = open_page(browser, site_url + PAGE + "?text=" + quote(text) + "&chat=1")
    chat = render_chat([{"role": "user", "content": text}], add_generation_prompt=True)
    wait_ids(page, "smollm2", [t["id"] for t in tokenize("smollm2", chat, special=True)])
    assert page.input_value("#aig-tokplay-text") == text
    context.close()


def test_pages_load_no_playground_byte_until_used(browser, built_site, site_url):
    """Pages without a tokens figure carry nothing of it; a figure's page only the boot
    script, and the data arrives on the click."""
    figure_page = "language-models-101/index.html"
    plain = [p for p in content_pages(built_site)
             if "aig-tokens" not in (built_site / p).read_text(encoding="utf-8") and "try-it" not in p]
    assert "tokplay" not in (built_site / plain[0]).read_text(encoding="utf-8")
    context, page, _ = open_page(browser, site_url + figure_page)
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.wait_for_timeout(300)
    assert not [u for u in urls if "tokenizers/" in u or "vendor/hf" in u]
    button = page.locator("figure.aig-tokens .aig-tryit").first
    button.click()
    page.wait_for_function("() => [...document.querySelectorAll('figure.aig-tokens .aig-tokrow[data-ids]')].length > 0")
    assert [u for u in urls if "tokenizers/tok-" in u]
    context.close()


def test_done_when_text_in_the_offline_copy_opened_from_disk(browser, offline_site):
    text = "Über 1234567 naïve 🤖 <b>hi</b>"
    url = (offline_site / "try-it" / "tokenizers.html").as_uri()
    context, page, seen = open_page(browser, url)
    page.fill("#aig-tokplay-text", text)
    for name in NAMES:
        wait_ids(page, name, [t["id"] for t in tokenize(name, text)])
    assert not seen["errors"] and not seen["external"] and not seen["failed"]
    context.close()
