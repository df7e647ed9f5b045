"""aiguide.search_index: what the search index leaves out, checked with Material's own parser
(the one its search plugin runs) and on the built index."""

from __future__ import annotations

import json

from material.plugins.search.plugin import Parser

from aiguide.search_index import leave_out_of_search

CODE = ('<div class="highlight"><pre><span></span><code><span class="kn">import</span> numpy\n'
        '<span class="n">first_kept</span> = 1\n'
        '<span class="s2">"""a string\nover lines"""</span>\n'
        '<span class="n">deep_in_the_body</span> = 2\n</code></pre></div>')


def indexed(html: str) -> str:
    """The text Material's search plugin would put into the index for ``html``."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return " ".join("".join(s.title) + " " + "".join(s.text) for s in parser.data if not s.is_excluded())


def test_code_blocks_keep_their_first_lines_only():
    text = indexed(leave_out_of_search(CODE, keep=2))
    assert "import numpy" in text and "first_kept" in text
    assert "deep_in_the_body" not in text and "a string" not in text


def test_a_cut_never_falls_inside_a_span_across_lines():
    out = leave_out_of_search(CODE, keep=3)  # the 3rd line break is inside the string
    assert '"""a string\nover lines"""</span>\n<aig-unindexed data-search-exclude>' in out
    assert "over lines" in indexed(out) and "deep_in_the_body" not in indexed(out)


def test_short_code_blocks_are_left_as_they_are():
    assert leave_out_of_search(CODE, keep=10) == CODE


def test_the_visible_code_is_unchanged():
    import re
    strip = lambda html: re.sub(r"<[^>]+>", "", html)
    assert strip(leave_out_of_search(CODE, keep=1)) == strip(CODE)


def test_notebook_prompts_copies_and_outputs_are_left_out():
    cell = ('<div class="jp-InputPrompt jp-InputArea-prompt">In [3]:</div>'
            '<span class="notice" hidden="">Copied!</span>'
            '<div class="highlight-ipynb"><pre><span></span>print(total_params)</pre></div>'
            '<div class="clipboard-copy-txt" id="cell-3">print(total_params)</div>'
            '<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain">'
            '<pre>Traceback (most recent call last)\n  <span class="ansi-red-fg">ValueError</span>: 134,515,008\n</pre></div>'
            '<p>After the cell.</p>')
    text = indexed(leave_out_of_search(cell))
    assert text.count("total_params") == 1, "the code once, not its hidden copy"
    for noise in ("In [3]", "Copied!", "Traceback", "ValueError", "134,515,008"):
        assert noise not in text
    assert "After the cell." in text, "the exclusion ends where the output ends"


def test_figure_bodies_are_left_out_but_summary_and_caption_stay():
    figure = ('<figure class="aig-figure aig-tokens"><p class="aig-sr">The text split into tokens.</p>'
              '<ol class="aig-chips"><li class="aig-chip">Un<span class="aig-tip">id 1844</span></li>'
              '<li class="aig-chip"><span class="aig-ws">·</span>belie<span class="aig-tip">id 32898</span></li></ol>'
              '<figcaption>How three tokenizers cut one sentence.</figcaption></figure>')
    text = indexed(leave_out_of_search(figure))
    assert "The text split into tokens." in text and "How three tokenizers cut one sentence." in text
    assert "1844" not in text and "belie" not in text


def test_why_a_wrapper_of_its_own_material_ends_an_exclusion_at_the_first_same_tag():
    """The reason for <aig-unindexed>: with data-search-exclude on an outer <span>, the
    first inner </span> ends the exclusion in Material's parser."""
    naive = '<p><span data-search-exclude><span class="n">hidden</span> leaked</span></p>'
    assert "leaked" in indexed(naive)
    ours = '<p><aig-unindexed data-search-exclude><span class="n">hidden</span> kept out</aig-unindexed></p>'
    assert "kept out" not in indexed(ours)


def test_the_built_index_has_no_notebook_noise_or_figure_chips(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    for noise in ("Copied!", "In [1]:", "id 1844 ·"):
        assert noise not in text, noise
    assert "load_minilm" in text, "identifiers on a code block's first lines stay searchable"


def test_the_glossary_letter_bar_and_letter_headings_are_left_out():
    page = ('<h1 id="glossary">Glossary</h1><p>Short definitions.</p>'
            '<p><a href="#letter-a">A</a> · <a href="#letter-b">B</a></p>'
            '<h2 id="letter-a">A<a class="headerlink" href="#letter-a">&para;</a></h2>'
            '<h3 id="activation">Activation</h3><p>The numbers a layer outputs.</p>')
    parser = Parser()
    parser.feed(leave_out_of_search(page))
    kept = [("".join(s.title), "".join(s.text)) for s in parser.data if not s.is_excluded()]
    assert [title for title, _ in kept] == ["Glossary", "Activation"]
    assert "A · B" not in kept[0][1] and "Short definitions." in kept[0][1]
