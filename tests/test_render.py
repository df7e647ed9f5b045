"""Renderer tests on realistic records built in ``records_sample`` (no model needed)."""

from __future__ import annotations

import copy
import doctest
import gzip
import itertools
import json
import math
import re
from html.parser import HTMLParser

import pytest

from aiguide.kinds import KINDS
from aiguide.render import RenderError, html, render
from aiguide.render.decoding import TOLERANCE_ENTROPY, TOLERANCE_PROB, TOLERANCE_TIE, explore
from aiguide.spec import FigureError
from tests.records_sample import (
    EVIL,
    SAMPLES,
    attention_record,
    decoding_explorer_record,
    generation_record,
    heads_record,
    model_names,
    next_token_record,
    poisoned,
    positions_record,
    similarity_record,
)


class Parsed(HTMLParser):
    """Tags, attributes and text of a fragment, as a browser's tokenizer sees them."""

    def __init__(self, fragment: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def having(self, **wanted: str) -> list[dict[str, str | None]]:
        """Attributes of tags whose attributes contain every ``wanted`` word/value."""
        out = []
        for _, attrs in self.tags:
            ok = True
            for name, value in wanted.items():
                have = attrs.get(name.rstrip("_"))
                ok &= have is not None and value in have.split()
            if ok:
                out.append(attrs)
        return out


def rendered(kind: str, **kwargs) -> str:
    return render(SAMPLES[kind](), **kwargs)


ALL = pytest.mark.parametrize("kind", sorted(SAMPLES))


# -- Every kind ------------------------------------------------------------------------


def test_every_registered_kind_has_a_sample_record():
    """A kind added to the registry without a sample here would go untested."""
    assert set(KINDS) == set(SAMPLES)


def test_unknown_kind_raises_value_error_naming_the_known_kinds():
    with pytest.raises(ValueError, match="known: tokens, attention"):
        render({"key": "x-1", "kind": "attenton", "data": {}})


def test_a_record_that_does_not_fit_is_a_figure_error_the_fence_reports():
    """The fence re-raises only FigureError; anything else would silently drop the figure."""
    record = similarity_record()
    record["data"]["matrix"] = None
    with pytest.raises(FigureError):
        render(record)


def test_a_missing_data_member_is_a_render_error():
    record = attention_record()
    del record["data"]["weights"]
    with pytest.raises(RenderError, match="weights"):
        render(record)


@ALL
def test_output_is_one_figure_with_a_stable_id_and_a_caption(kind):
    out = rendered(kind)
    assert out.startswith(f'<figure class="aig-figure aig-{kind}" id="fig-{kind}-0123456789ab">')
    assert out.endswith("</figcaption></figure>")
    assert out.count("<figure") == 1 and out.count("<figcaption>") == 1


@ALL
def test_caption_names_the_model_or_tokenizer(kind):
    record = SAMPLES[kind]()
    caption = rendered(kind).split("<figcaption>")[1]
    for name in model_names(record):
        assert html.esc(name) in caption


@ALL
def test_given_caption_replaces_the_default_and_is_escaped(kind):
    default = rendered(kind)
    out = rendered(kind, caption="Look at <b>this</b> & that")
    assert "Look at &lt;b&gt;this&lt;/b&gt; &amp; that" in out
    assert out != default


@ALL
def test_same_record_gives_the_same_bytes(kind):
    record = SAMPLES[kind]()
    reordered = json.loads(json.dumps(record, sort_keys=True))
    assert render(record) == render(copy.deepcopy(record)) == render(reordered)


@ALL
def test_injected_markup_shows_as_text(kind):
    out = render(poisoned(SAMPLES[kind]()), caption=EVIL)
    page = Parsed(out)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "img", "iframe", "object", "link", "style"}
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    assert "<img" not in out and "</script>" not in out
    assert "&lt;img" in out
    assert "<img" in "".join(page.text)  # readers see the markup as text


@ALL
def test_every_less_than_sign_opens_a_tag(kind):
    """Escaping is complete: a stray "<" (say from "<0.1%") would be broken HTML."""
    out = render(poisoned(SAMPLES[kind]()))
    assert not re.search(r"<(?![a-z/])", out)


@ALL
def test_no_scripts_requests_or_dynamic_styles(kind):
    out = rendered(kind)
    page = Parsed(out)
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "img", "style")
        assert not {"src", "href"} & set(attrs), (tag, attrs)
        style = attrs.get("style")
        assert style is None or re.fullmatch(r"(width:[\d.]+%|height:[\d.]+em)", style), style
    assert "url(" not in out and "http" not in out


@ALL
def test_has_a_screen_reader_summary_and_labelled_graphics(kind):
    page = Parsed(rendered(kind))
    assert page.having(class_="aig-sr")
    for tag, attrs in page.tags:
        if tag == "svg":
            assert attrs.get("role") == "img" and attrs.get("aria-label"), attrs
    for attrs in page.having(class_="aig-scroll"):
        assert attrs.get("tabindex") == "0" and attrs.get("aria-label")


@ALL
def test_focusable_things_are_rows_or_chips_never_cells(kind):
    page = Parsed(rendered(kind))
    for tag, attrs in page.tags:
        if "tabindex" in attrs:
            assert attrs["tabindex"] == "0"
            assert tag in ("tr", "li", "div"), tag
            classes = attrs.get("class", "").split()
            assert "aig-hover" in classes or "aig-scroll" in classes
    for attrs in page.having(class_="aig-hover"):
        assert attrs.get("tabindex") == "0"


@pytest.mark.parametrize(
    "kind", ["attention", "attention-heads", "next-token", "decoding-explorer", "positions"]
)
def test_numbers_are_in_a_details_table(kind):
    out = rendered(kind)
    assert '<details class="aig-numbers" data-search-exclude><summary>Show the numbers</summary>' in out
    assert '<table class="aig-table"><caption>' in out


@ALL
def test_stays_under_40_kb_gzipped(kind):
    assert len(gzip.compress(rendered(kind).encode("utf-8"))) < 40_000


def test_big_figures_stay_small():
    """The largest figures the specs allow in practice: 12 heads × 16 tokens and 24 tokens."""
    heads = heads_record()
    assert len(heads["data"]["heads"]) == 12 and len(heads["data"]["tokens"]) == 16
    assert len(attention_record()["data"]["tokens"]) == 24
    for record in (heads, attention_record(), positions_record(128, 256)):
        assert len(gzip.compress(render(record).encode("utf-8"))) < 40_000


# -- Helpers ---------------------------------------------------------------------------


def test_helper_examples_hold():
    assert doctest.testmod(html).failed == 0


def test_figure_ids_are_safe_and_stable():
    assert html.figure_id("attention-3f9a0c1b2d4e") == "fig-attention-3f9a0c1b2d4e"
    assert html.figure_id('a" onload="x') == "fig-a-onload-x"
    with pytest.raises(RenderError):
        html.figure_id("<>")


def test_whitespace_and_special_pieces_are_visible():
    assert html.token_html("\n") == '<span class="aig-ws">↵</span>'
    tab_spaces = '<span class="aig-ws">→</span><span class="aig-ws">··</span>x'
    assert html.token_html("\t  x") == tab_spaces
    assert html.token_html("##ing") == '<span class="aig-ws">##</span>ing'
    assert html.token_html("###") == "###"
    assert html.token_html("<0xF0>") == '<span class="aig-byte">&lt;0xF0&gt;</span>'
    assert html.token_html("a<0x9F>\n") == (
        'a<span class="aig-byte">&lt;0x9F&gt;</span><span class="aig-ws">↵</span>'
    )
    assert html.token_html("") == '<span class="aig-ws">∅</span>'
    assert html.looks_special("<|im_start|>") and html.looks_special("[CLS]")
    assert not html.looks_special("[cls]") and not html.looks_special("<|a|b|>")


def test_numbers_have_fixed_precision():
    assert html.fixed(0.1 + 0.2, 3) == "0.300"
    assert html.fixed(-1e-9, 2) == "0.00"
    assert html.pct(0.123456, 2) == "12.35%"


def test_svg_cells_merge_runs_and_skip_blanks():
    d = html.svg_cells([["aig-q1", "aig-q1", "", "aig-q2"], ["", "", "", ""]])
    assert d == '<path class="aig-q1" d="M0 0h2v1h-2z"/><path class="aig-q2" d="M3 0h1v1h-1z"/>'


# -- tokens ----------------------------------------------------------------------------


def test_tokens_rows_show_count_and_characters_per_token():
    out = rendered("tokens")
    assert "<strong>GPT-4 (cl100k_base)</strong>" in out
    assert "8 tokens · 2.38 characters per token" in out
    assert "7 tokens · 2.71 characters per token" in out


def test_tokens_chips_reveal_id_and_span():
    page = Parsed(rendered("tokens"))
    assert "id 3021 · characters 2–6" in page.text
    assert "id 101 · special token, not part of the text" in page.text


def test_tokens_neighbouring_chips_differ_in_tint():
    page = Parsed(rendered("tokens"))
    tints = [
        next(c for c in a["class"].split() if re.fullmatch(r"aig-c\d|aig-special", c))
        for a in page.having(class_="aig-chip")
    ]
    assert len(tints) == 15
    assert all(a != b for a, b in itertools.pairwise(tints) if "aig-special" not in (a, b))


def test_tokens_mark_spaces_newlines_bytes_and_specials():
    out = rendered("tokens")
    assert '<span class="aig-ws">·</span>love' in out
    assert '<span class="aig-ws">↵</span>' in out
    assert '<li class="aig-break" aria-hidden="true"></li>' in out  # the newline breaks the row
    assert '<span class="aig-byte">&lt;0xF0&gt;</span>' in out
    assert 'aig-chip aig-special" tabindex="0">[CLS]' in out
    unknown = 'aig-chip aig-special" tabindex="0">[UNK]<span class="aig-tip">id 100 · character 19'
    assert unknown in out  # covers text, yet is a special token


# -- attention -------------------------------------------------------------------------


def test_attention_says_layer_and_head_counted_from_one():
    out = rendered("attention")
    assert "layer 3, head 7 (of 30 layers × 9 heads)" in out.split("<figcaption>")[1]


def test_attention_heatmap_has_a_row_per_query_and_bare_masked_cells():
    record = attention_record()
    n = len(record["data"]["tokens"])
    heat = render(record).split('<table class="aig-heat">')[1].split("</table>")[0]
    assert heat.count('<tr class="aig-hover" tabindex="0">') == n
    assert heat.count("<td") == n * n + 1  # and the corner cell
    assert heat.count("<td></td>") >= n * (n - 1) // 2  # causal: nothing above the diagonal


def test_attention_row_tip_names_the_strongest_keys():
    page = Parsed(rendered("attention"))
    assert any(t.startswith("looks most at “·animal”") for t in page.text)


def test_attention_focus_view_shows_the_row_as_percentages():
    record = attention_record(focus=9)
    out = render(record)
    view = out.split('<div class="aig-focusview">')[1].split("</div>")[0]
    assert "Where “·it” (token 10) looks" in view
    assert view.count("<li>") == 10  # keys 0..9; later keys are masked
    row = record["data"]["weights"][9]
    assert f'<span class="aig-num">{html.pct(row[2])}</span>' in view


def test_attention_without_focus_has_no_focus_view():
    assert "aig-focusview" not in render(attention_record(focus=None))


def test_attention_bidirectional_focus_lists_every_key():
    out = render(attention_record(focus=0, causal=False))
    view = out.split('<div class="aig-focusview">')[1].split("</div>")[0]
    assert view.count("<li>") == 24


def test_attention_rejects_a_matrix_that_does_not_match_the_tokens():
    record = attention_record()
    record["data"]["weights"][3] = record["data"]["weights"][3][:-1]
    with pytest.raises(RenderError, match="should be 24×24"):
        render(record)


def test_attention_rejects_a_focus_outside_the_tokens():
    with pytest.raises(RenderError, match="focus 24"):
        render(attention_record(focus=24))


def test_attention_heads_one_labelled_mini_map_per_head():
    page = Parsed(rendered("attention-heads"))
    labels = [a["aria-label"] for t, a in page.tags if t == "svg"]
    assert len(labels) == 12
    assert labels[0].startswith("Head 1: ") and labels[11].startswith("Head 12: ")
    names = [t for t in page.text if t.startswith("head ")][:12]
    assert names == [f"head {h}" for h in range(1, 13)]


def test_attention_heads_share_one_numbered_token_list():
    out = rendered("attention-heads")
    tokens = out.split('<ol class="aig-toklist">')[1].split("</ol>")[0]
    assert tokens.count("<li>") == 16
    assert '<span class="aig-idx">15</span> <span><span class="aig-ws">##</span>d</span>' in tokens


def test_attention_heads_measure_next_and_last_only_without_a_causal_mask():
    assert "to next token" in render(heads_record(causal=False))
    causal = render(heads_record(causal=True))
    assert "to previous token" in causal and "to next token" not in causal


# -- similarity ------------------------------------------------------------------------


def test_similarity_cells_show_two_decimals_and_a_unit_diagonal():
    record = similarity_record()
    out = render(record)
    page = Parsed(out)
    cells = [t for t in page.text if re.fullmatch(r"−?\d\.\d\d", t)]
    assert len(cells) == 25
    assert out.count('<td class="aig-p5">1.00</td>') >= 5
    value = record["data"]["matrix"][0][1]
    assert f'<td class="{html.div_class(value)}">{html.fixed(value, 2)}</td>' in out


def test_similarity_legend_explains_the_range_and_the_diagonal():
    legend = rendered("similarity").split('<p class="aig-legend">')[1].split("</p>")[0]
    assert "between −1" in legend and "and 1" in legend and "the diagonal is 1" in legend


def test_similarity_row_labels_keep_whitespace_visible():
    out = rendered("similarity")
    assert 'love<span class="aig-ws">··</span>coding<span class="aig-ws">↵</span>' in out


# -- next-token ------------------------------------------------------------------------


def test_next_token_one_panel_per_temperature_with_top_k_bars():
    out = rendered("next-token")
    panels = out.split('<div class="aig-panel" ')[1:]
    assert len(panels) == 3
    for panel in panels:
        assert panel.count('<li class="aig-hover') == 10
        assert re.search(r"entropy \d+\.\d\d bits", panel)


def test_next_token_marks_the_top_p_cut():
    record = next_token_record()
    out = render(record)
    for key, panel in zip(["0.7", "1.0", "1.5"], out.split('<div class="aig-panel" ')[1:]):
        cut = record["data"]["top_p_cut"][key]
        if cut < 10:
            assert f'<li class="aig-cut">top-p 0.9 keeps the {cut} above</li>' in panel
            assert panel.count("aig-out") == 10 - cut
        else:
            assert f"Top-p 0.9 keeps {cut} candidates" in panel or "keeps all 10" in panel


def test_next_token_cut_beyond_the_shown_candidates_is_said_in_words():
    record = next_token_record(temperatures=(5.0,))
    record["data"]["top_p_cut"]["5.0"] = 27
    out = render(record)
    assert "Top-p 0.9 keeps 27 candidates, more than the 10 shown." in out
    assert "aig-cut" not in out


def test_next_token_prompt_shows_the_trailing_space():
    assert 'France is<span class="aig-ws">·</span></span>' in rendered("next-token")


def test_next_token_tips_give_id_and_logit():
    page = Parsed(rendered("next-token"))
    assert "id 100 · logit 18.78" in page.text


def test_next_token_missing_temperature_is_a_render_error():
    record = next_token_record()
    del record["data"]["probs"]["1.0"]
    with pytest.raises(RenderError, match="temperature 1.0"):
        render(record)


# -- decoding explorer -------------------------------------------------------------------


def explorer_data_of(out: str) -> dict:
    """The JSON figures.js reads, as a browser decodes the attribute."""
    controls = Parsed(out).having(class_="aig-controls")
    assert len(controls) == 1
    return json.loads(controls[0]["data-explorer"])


def test_explorer_static_bars_are_the_spec_settings():
    """Without JavaScript the figure is the bar chart at the spec's settings."""
    record = decoding_explorer_record(temperature=0.7, top_k=0, top_p=0.9)
    out = render(record)
    now = explore(record["data"], 0.7, 0, 0.9)
    assert now.kept == 4  # the sample's cut falls among the bars
    nums = re.findall(r'<span class="aig-num">([^<]*)</span>', out.split('data-aig="bars"')[1])
    assert nums == [html.esc(html.pct(p)) for p in now.probs]
    assert out.count('<li class="aig-hover aig-out"') == 10 - 4
    assert '<li class="aig-cut" data-aig="cut">the sampler keeps the 4 above</li>' in out
    assert out.index('data-aig="cut"') > out.index("·</span>young")  # after the 4th bar
    status = out.split('<p class="aig-status"')[1].split("</p>")[0]
    assert "Temperature 0.7, top-k all, top-p 0.9</span>: keeps" in status
    assert f'<strong data-aig="kept">{now.kept}</strong> of 49,152 tokens' in status
    assert f'<strong data-aig="entropy">{html.fixed(now.entropy, 2)}</strong> bits' in status


def test_explorer_cut_line_is_hidden_when_every_bar_is_kept():
    out = render(decoding_explorer_record(temperature=1.5, top_k=0, top_p=0.9))
    assert '<li hidden class="aig-cut" data-aig="cut">' in out
    assert "aig-out" not in out


def test_explorer_controls_are_labelled_and_hidden_until_the_script_runs():
    out = rendered("decoding-explorer")
    page = Parsed(out)
    controls = page.having(class_="aig-controls")[0]
    assert controls["role"] == "group" and controls["aria-label"] == "Decoding settings"
    assert "hidden" in controls and controls["data-explorer"].startswith('{"bars"')
    inputs = [a for t, a in page.tags if t == "input"]
    labels = {a["for"] for t, a in page.tags if t == "label"}
    outputs = {a["for"] for t, a in page.tags if t == "output"}
    assert [a["data-aig"] for a in inputs] == ["temperature", "top-k", "top-p"]
    for attrs in inputs:
        assert attrs["type"] == "range" and attrs["id"] in labels and attrs["id"] in outputs
        assert attrs["id"].startswith("fig-decoding-explorer-0123456789ab-")
    top_k = inputs[1]
    stops = top_k["data-stops"].split()
    assert stops[-1] == "0" and stops[int(top_k["value"])] == "0"
    assert top_k["aria-valuetext"] == "all"
    status = page.having(class_="aig-status")[0]
    assert status["aria-live"] == "polite" and status["role"] == "status"


def test_explorer_data_for_the_script_is_numbers_only():
    record = decoding_explorer_record()
    out = render(record)
    data = explorer_data_of(out)
    assert data["logits"] == [c["logit"] for c in record["data"]["candidates"]]
    assert data["tail_counts"] == record["data"]["tail"]["counts"]
    assert len(data["logits"]) + sum(data["tail_counts"]) == data["vocab_size"] == 49152
    attribute = out.split('data-explorer="', 1)[1].split('"', 1)[0]
    assert attribute.startswith("{&#34;bars&#34;:10,")  # quotes escaped, so it stays one value


def test_explorer_hostile_token_text_stays_inert():
    hostile = "</script><script>alert(1)</script>"
    record = decoding_explorer_record()
    record["data"]["prompt"] = hostile
    for cand in record["data"]["candidates"][:12]:
        cand["text"] = hostile
    out = render(record, caption=hostile)
    page = Parsed(out)
    assert "script" not in {tag for tag, _ in page.tags} and "<script" not in out
    assert "alert" not in json.dumps(explorer_data_of(out))  # the data carries no text
    assert hostile in "".join(page.text)  # readers see it as text
    # and were text ever carried, the attribute would hold it as a plain string
    carried = {"text": hostile, "quotes": "\"'&"}
    parsed = Parsed('<p data-x="' + html.data_json(carried) + '"></p>')
    assert [tag for tag, _ in parsed.tags] == ["p"]
    assert json.loads(parsed.tags[0][1]["data-x"]) == carried


def test_explorer_rejects_a_tail_that_does_not_fill_the_vocabulary():
    record = decoding_explorer_record()
    record["data"]["tail"]["counts"][-1] -= 1
    with pytest.raises(RenderError, match="vocabulary size"):
        render(record)


@pytest.mark.parametrize("temperature, top_k, top_p", [
    (0.7, 0, 0.9), (0.05, 0, 0.5), (2.0, 0, 1.0), (1.5, 20, 0.9), (1.0, 1000, 0.95),
])
def test_explorer_arithmetic_is_a_sampling_distribution(temperature, top_k, top_p):
    data = decoding_explorer_record()["data"]
    now = explore(data, temperature, top_k, top_p)
    assert 1 <= now.kept <= (top_k or 49152)
    assert 0 < now.mass <= 1 + 1e-12 and (top_p < 1 or top_k or now.mass == pytest.approx(1))
    assert sorted(now.probs, reverse=True) == now.probs  # rank order, cut ones at 0
    assert sum(now.probs) <= 1 + 1e-12 and 0 <= now.entropy <= math.log2(now.kept) + 1e-9


def test_explorer_edge_settings():
    data = decoding_explorer_record()["data"]
    greedy = explore(data, 1.0, 1, 0.9)
    assert (greedy.kept, greedy.probs[0], greedy.entropy) == (1, 1.0, 0.0)
    everything = explore(data, 1.0, 0, 1.0)
    assert everything.kept == 49152 and everything.mass == pytest.approx(1.0)
    # top-k then top-p: the nucleus of the top-k survivors, never larger than k
    assert explore(data, 2.0, 50, 0.9).kept <= 50 < explore(data, 2.0, 0, 0.9).kept


def test_explorer_note_states_the_order_and_the_tested_tolerance():
    note = rendered("decoding-explorer").split('<p class="aig-note">')[-1].split("</p>")[0]
    assert note.startswith("Order: temperature, then top-k, then top-p")
    assert f"within {TOLERANCE_PROB * 100:g} percentage points" in note
    assert f"entropy within {TOLERANCE_ENTROPY:g} bits" in note
    assert f"within {TOLERANCE_TIE * 100:g} points of top-p" in note


# -- generation ------------------------------------------------------------------------


def test_generation_one_row_per_step_with_the_choice_marked():
    record = generation_record()
    out = render(record)
    assert out.count('<li class="aig-step aig-hover" tabindex="0">') == 12
    assert out.count("aig-alt aig-picked") == 12
    assert out.count("aig-chosen aig-unlikely") == 1  # step 4 took the second candidate
    assert "step 4: chose “·alt1”, id 3001, rank 2 of 5" in Parsed(out).text


def test_generation_shows_prompt_and_output():
    out = rendered("generation")
    assert '<span class="aig-label">Prompt (through the chat template)</span>' in out
    output = out.split('<p class="aig-output">')[1]
    assert "Tower,<span class=\"aig-ws\">↵</span>\n&lt;|im_end|&gt;" in output


# -- positions -------------------------------------------------------------------------


def test_positions_heatmap_is_one_scalable_svg_with_labelled_axes():
    out = rendered("positions")
    assert 'viewBox="0 0 64 32" preserveAspectRatio="none"' in out
    assert "<span>dimension →</span><span>63</span>" in out
    assert "<span>position →</span><span>31</span>" in out
    classes = set(re.findall(r'<path class="([^"]+)"', out))
    assert classes <= {f"aig-{s}{k}" for s in "pn" for k in range(1, 6)}
    assert {"aig-p5", "aig-n5"} <= classes


def test_positions_table_samples_the_first_values():
    out = rendered("positions")
    table = out.split('<table class="aig-table">')[1]
    assert "The first 8 positions × 8 dimensions" in table
    assert "<td>0.841</td>" in table  # sin(1) at position 1, dimension 0


def test_similarity_summary_names_the_extreme_pairs_and_each_rows_closest_item():
    """The figure's sentence and row tips, on a matrix whose answers are known: the extreme
    pairs tie with later pairs (the first pair in reading order wins) and sit off the
    first row, so an off-by-one or a flipped comparison names another pair."""
    from aiguide.render.similarity import _closest, _extremes

    items = ["a", "b", "c", "d"]
    matrix = [[1.0, 0.2, 0.1, 0.3],
              [0.2, 1.0, 0.9, -0.4],
              [0.1, 0.9, 1.0, 0.9],
              [0.3, -0.4, 0.9, 1.0]]
    assert _extremes(items, matrix) == ("Most similar: “b” and “c” (0.90). "
                                        "Least similar: “b” and “d” (−0.40).")
    assert [_closest(items, matrix, i) for i in range(4)] == [
        "closest: item 4 (0.30)", "closest: item 3 (0.90)",
        "closest: item 2 (0.90)", "closest: item 3 (0.90)"]
    tied = [[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]]
    assert _extremes(["x", "y", "z"], tied) == ("Most similar: “x” and “y” (0.50). "
                                                "Least similar: “x” and “y” (0.50).")
    # Ties between (1, 4) and (2, 3): the earlier first item wins, not the earlier second.
    high = [[1.0, 0.1, 0.2, 0.8], [0.1, 1.0, 0.8, 0.3], [0.2, 0.8, 1.0, 0.4], [0.8, 0.3, 0.4, 1.0]]
    assert _extremes(items, high).startswith("Most similar: “a” and “d” (0.80).")
    low = [[1.0, 0.7, 0.6, 0.1], [0.7, 1.0, 0.1, 0.3], [0.6, 0.1, 1.0, 0.4], [0.1, 0.3, 0.4, 1.0]]
    assert _extremes(items, low).endswith("Least similar: “a” and “d” (0.10).")
