"""Figure specs: found where authors write them, validated with errors that say what to fix."""

from __future__ import annotations

import pytest

from aiguide.fence import FigureLibrary, check_figure
from aiguide.spec import FigureError, find_figures, parse_spec


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
