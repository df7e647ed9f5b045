"""Figure specs: found where authors write them, validated with errors that say what to fix."""

from __future__ import annotations

import pytest

from aiguide.fence import FigureLibrary, check_figure
from aiguide.spec import FigureError, find_figures, parse_spec


@pytest.fixture(autouse=True)
def _uncached():
    """parse_spec caches by source text: start each test without results of earlier ones."""
    parse_spec.cache_clear()


def test_find_figures_gives_opening_line_and_skips_fences_nested_in_code():
    page = "\n".join([  # noqa: FLY002 -- one line per entry, numbered
        "# Page",  # 1
        "```figure",  # 2
        "kind: positions",  # 3
        "```",  # 4
        "````markdown",  # 5: an example of the syntax, shown, not rendered
        "```figure",  # 6
        "kind: tokens",  # 7
        "```",  # 8
        "````",  # 9
        "!!! note",  # 10
        "    ```figure",  # 11: inside an admonition
        "    kind: positions",  # 12
        "    dims: 8",  # 13
        "    ```",  # 14
    ])
    blocks = find_figures(page, "docs/page.md")
    assert [b.line for b in blocks] == [2, 11]
    assert blocks[1].source == "kind: positions\ndims: 8"


def test_defaults_are_filled_and_the_key_ignores_the_caption():
    one = parse_spec("kind: tokens\ntext: Hello\ncaption: One")
    two = parse_spec("kind: tokens\ntext: Hello\ncaption: Two")
    assert one.params == {"text": "Hello", "tokenizers": ["cl100k_base", "minilm", "smollm2"],
                          "chat": False}
    assert one.key == two.key and one.key.startswith("tokens-") and len(one.key) == len("tokens-") + 12
    assert parse_spec("kind: tokens\ntext: Hello!").key != one.key


def test_earlier_chat_turns_change_the_key_and_are_rendered_before_the_text():
    turns = "messages: [{role: system, content: You can call tools.}]"
    plain = parse_spec("kind: tokens\ntext: Hi\nchat: true")
    with_turns = parse_spec(f"kind: tokens\ntext: Hi\nchat: true\n{turns}")
    assert with_turns.params["messages"] == [{"role": "system", "content": "You can call tools."}]
    assert "messages" not in plain.params and plain.key != with_turns.key


@pytest.mark.parametrize("source, line, message, fix", [
    ("kind: tokens\ntext: [unclosed", 2, "not valid YAML", "key: value"),
    ("- just\n- a list", 1, "must be a YAML mapping", "docs/contributing/figures.md"),
    ("kind: token\ntext: hi", 1, "unknown figure kind 'token' (did you mean 'tokens'?)", "use one of"),
    ("kind: tokens\ntext: hi\ntokenisers: [minilm]", 3, "unknown option 'tokenisers'", "options for tokens"),
    ("kind: attention\nmodel: minilm", 1, "needs the option 'text'", "add a line `text: ...`"),
    ("kind: attention\nmodel: minilm\ntext: hi\nlayer: two", 4, "must be int, not str", "layer"),
    ("kind: tokens\ntext: " + "x" * 501, 2, "501 characters long; the limit is 500", "change `text`"),
    ("kind: tokens\ntext: hi\ntokenizers: [gpt2]", 3, "unknown tokenizer(s) ['gpt2']", "tokenizers"),
    ("kind: attention\nmodel: gpt-5\ntext: hi", 2, "unknown model 'gpt-5'", "minilm or smollm2"),
    ("kind: similarity\nmodel: smollm2\nitems: [a, b]", 2, "a model that cannot draw 'smollm2'", "minilm"),
    ("kind: attention\nmodel: minilm\ntext: hi\nlayer: 7", 4, "layer 7 is out of range: all-MiniLM-L6-v2 has layers 1 to 6", "1 to 6"),
    ("kind: attention\nmodel: smollm2\ntext: hi\nhead: 10", 4, "head 10 is out of range", "1 to 9"),
    ("kind: next-token\nmodel: smollm2\nprompt: hi\ntop_p: 1.5", 4, "must be between", "top_p"),
    ("kind: positions\ndims: 7", 2, "must be even", "dims"),
    ("kind: decoding-explorer\nmodel: smollm2\nprompt: hi\ntemperature: 0.33", 4,
     "must be a multiple of 0.05 from 0.05 to 2 (a slider position)", "temperature"),
    ("kind: decoding-explorer\nmodel: smollm2\nprompt: hi\ntemperature: 0", 4,
     "a slider position", "temperature"),
    ("kind: decoding-explorer\nmodel: smollm2\nprompt: hi\ntop_k: 7", 4,
     "must be 0 (no limit) or one of 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000", "top_k"),
    ("kind: decoding-explorer\nmodel: smollm2\nprompt: hi\ntop_p: 0.93", 4,
     "multiple of 0.05 from 0.05 to 1", "top_p"),
    ("kind: decoding-explorer\nmodel: smollm2\nprompt: hi\nbars: 40", 4, "between 3 and 20", "bars"),
    ("kind: decoding-explorer\nmodel: minilm\nprompt: hi", 2, "a model that cannot draw", "smollm2"),
    ("kind: tokens\ntext: hi\nchat: yes please", 3, "must be bool", "chat"),
    ("kind: tokens\ntext: hi\nmessages: [{role: system, content: Be brief.}]", 3,
     "needs `chat: true`", "add `chat: true`"),
    ("kind: tokens\ntext: hi\nchat: true\nmessages: [{role: tool, content: '42'}]", 4,
     "message 1 has role 'tool'", "messages"),
    ("kind: tokens\ntext: hi\nchat: true\nmessages: [{role: user}]", 4,
     "exactly `role` and `content`", "messages"),
    ("kind: tokens\ntext: hi\nchat: true\nmessages: []", 4, "1 to 6 messages", "messages"),
])
def test_bad_specs_fail_with_line_message_and_fix(source, line, message, fix):
    with pytest.raises(FigureError) as caught:
        parse_spec(source)
    located = caught.value.at("docs/page.md", 10)  # the fence opens on line 10
    assert located.line == 10 + line
    assert message in located.message
    assert fix in located.fix
    assert str(located).startswith(f"docs/page.md:{10 + line}: ")


def test_decoding_explorer_defaults_are_slider_positions():
    spec = parse_spec("kind: decoding-explorer\nmodel: smollm2\nprompt: Once upon a time")
    assert spec.params == {"model": "smollm2", "prompt": "Once upon a time", "chat": False,
                           "temperature": 0.7, "top_k": 0, "top_p": 0.9, "bars": 10}
    edges = parse_spec("kind: decoding-explorer\nmodel: smollm2\nprompt: hi\n"
                       "temperature: 2\ntop_k: 1000\ntop_p: 1\nbars: 20")
    assert (edges.params["temperature"], edges.params["top_p"]) == (2.0, 1.0)
    assert edges.key.startswith("decoding-explorer-")


def test_missing_data_names_the_command_that_makes_it(tmp_path):
    with pytest.raises(FigureError) as caught:
        check_figure("kind: positions\npositions: 3\ndims: 4", FigureLibrary(tmp_path))
    assert "no data for this positions figure" in caught.value.message
    assert "make figures" in caught.value.fix


def test_find_figures_reads_attribute_style_fences_and_text_after_the_language():
    page = "```{.figure}\nkind: positions\n```\n``` figure Title\nkind: positions\n```\n```figurex\nx\n```"
    blocks = find_figures(page, "docs/page.md")
    assert [(b.path, b.line, b.source) for b in blocks] == [
        ("docs/page.md", 1, "kind: positions"), ("docs/page.md", 4, "kind: positions")]


def test_a_figure_right_after_a_code_block_is_found():
    # An empty block (closed on the next line) and a block whose closing line is just before
    # the figure: the search for each closing fence starts on the line after its opening.
    page = "```python\n```\n```figure\nkind: positions\n```\n~~~\nx\n~~~\n```figure\nkind: tokens\n```"
    assert [(b.line, b.source) for b in find_figures(page, "p.md")] == [
        (3, "kind: positions"), (9, "kind: tokens")]


def test_an_unclosed_code_block_ends_the_search_but_keeps_the_figures_before_it():
    # Three backticks cannot close a block opened with four.
    page = "```figure\nkind: positions\n```\n````python\nprint('no end')\n```figure\nkind: tokens\n```"
    assert [b.line for b in find_figures(page, "p.md")] == [1]


def test_a_figure_error_without_a_place_or_fix_is_just_its_message():
    error = FigureError("boom")
    assert (str(error), error.path, error.line, error.fix) == ("boom", "", 0, "")
    assert error.at("docs/page.md", 10).line == 10  # placed at the fence: nothing to add


def test_a_spec_without_a_kind_points_at_the_first_line():
    with pytest.raises(FigureError) as caught:
        parse_spec("text: hi\nmodel: minilm")
    assert caught.value.line == 1 and caught.value.message == "unknown figure kind None"


def test_no_suggestion_is_added_when_nothing_is_close():
    with pytest.raises(FigureError) as caught:
        parse_spec("kind: zzzz")
    assert caught.value.message == "unknown figure kind 'zzzz'"


def test_a_misspelt_model_gets_a_suggestion():
    with pytest.raises(FigureError) as caught:
        parse_spec("kind: attention\nmodel: smollm\ntext: hi")
    assert caught.value.message == (
        "unknown model 'smollm' for a attention figure (did you mean 'smollm2'?)")


@pytest.mark.parametrize("focus, shown", [("[a]", "list (['a'])"), ("true", "bool (True)")])
def test_an_option_of_two_types_names_both_and_the_value_given(focus, shown):
    with pytest.raises(FigureError) as caught:
        parse_spec(f"kind: attention\nmodel: minilm\ntext: hi\nfocus: {focus}")
    assert caught.value.message == f"option 'focus' must be str or int, not {shown}"
    assert caught.value.line == 4


def test_the_last_layer_and_head_are_in_range():
    spec = parse_spec("kind: attention\nmodel: minilm\ntext: hi\nlayer: 6\nhead: 12")
    assert (spec.params["layer"], spec.params["head"]) == (6, 12)
    spec = parse_spec("kind: attention\nmodel: smollm2\ntext: hi\nlayer: 30\nhead: 9")
    assert (spec.params["layer"], spec.params["head"]) == (30, 9)


def test_when_only_libyaml_rejects_a_spec_the_error_says_so():
    from aiguide.spec import _pure_python_error

    assert str(_pure_python_error("kind: tokens")) == "libyaml rejected the spec"


def test_a_figure_fence_is_found_whatever_whitespace_follows_its_language():
    from aiguide.spec import find_figures

    for info in ("figure", "figure x", "figure\tx", " figure ", "{.figure}"):
        blocks = find_figures(f"text\n```{info}\nkind: positions\n```\n", "p.md")
        assert [b.line for b in blocks] == [2], info
    assert find_figures("```\nkind: positions\n```\n", "p.md") == []
