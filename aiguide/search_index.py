"""What a page leaves out of the search index: text nobody searches for.

Material's search plugin indexes a page's HTML and skips any element marked
`data-search-exclude` (its documented switch). This marks, in a page's rendered HTML:

- in figures, the body (token chips, bars, heatmaps, legends, tips): the figure's text
  summary and caption say what it shows in words a reader would search for;
- in notebooks, the `In [n]:` / `Out [n]:` prompts, the hidden second copy of every code
  cell (for the copy button), the "Copied!" notice, and every cell's output (printed
  numbers, tables, tracebacks);
- in the glossary, the A-Z jump bar and the one-letter headings (search results that
  say only "A" or "B");
- in every code block, the lines after the first ``keep`` (the first lines carry the
  imports, the command or the function names a reader might type; the rest of the body is
  found through the prose around it).

Material's HTML parser compares elements by tag name alone, so inside an excluded element
the first closing tag of the same name ends the exclusion. Everything marked here is
therefore a leaf for its own tag name, and a code block's tail is wrapped in an element
of its own, `<aig-unindexed>` (a custom element: no default style, so nothing changes on
screen, and Pygments never emits it, so nothing inside can close it early).

>>> leave_out_of_search('<pre><span></span><code>a\\nb\\nc\\n</code></pre>', keep=1)
'<pre><span></span><code>a\\n<aig-unindexed data-search-exclude>b\\nc\\n</aig-unindexed></code></pre>'
"""

from __future__ import annotations

import re

KEEP_CODE_LINES = 2
WRAPPER = "aig-unindexed"

# Classes of elements left out; each holds no element of its own tag name (see above).
NOISE = frozenset({
    # mkdocs-jupyter: prompts, the copy button's text and hidden code copy, cell outputs.
    "jp-InputPrompt", "jp-OutputPrompt", "clipboard-copy-txt", "jp-OutputArea-output", "notice",
    # Figure bodies (aiguide/render): token chips, bars, heatmap and similarity tables,
    # legends and hover tips. The figure's summary (aig-sr) and caption stay.
    "aig-chips", "aig-bars", "aig-heat", "aig-sim", "aig-table", "aig-legend", "aig-tip",
})

_CLASSED_TAG = re.compile(r'<([a-z][\w-]*)(\s[^>]*?\bclass="([^"]*)"[^>]*)>')
_PRE = re.compile(r"(<pre\b[^>]*>)(.*?)(</pre>)", re.DOTALL)
_LETTER_HEADING = re.compile(r'<(h[1-6]) id="(letter-[a-z])"')
_LETTER_BAR = re.compile(r'<p>(?=<a href="#letter-a">)')
_SPAN_OR_NEWLINE = re.compile(r"<(/?)span\b[^>]*>|\n")


def leave_out_of_search(html: str, keep: int = KEEP_CODE_LINES) -> str:
    """``html`` with figure bodies, notebook noise and code-block tails marked
    `data-search-exclude`."""
    return _PRE.sub(lambda m: m[1] + _trim_code(m[2], keep) + m[3]
                    if "data-search-exclude" not in m[1] else m[0], _mark_letters(_mark_noise(html)))


def _mark_letters(html: str) -> str:
    html = _LETTER_HEADING.sub(r'<\1 id="\2" data-search-exclude', html)
    return _LETTER_BAR.sub("<p data-search-exclude>", html)


def _mark_noise(html: str) -> str:
    def mark(match: re.Match[str]) -> str:
        classes = match[3].split()
        if "data-search-exclude" in match[2] or NOISE.isdisjoint(classes):
            return match[0]
        return f"<{match[1]}{match[2]} data-search-exclude>"
    return _CLASSED_TAG.sub(mark, html)


def _trim_code(body: str, keep: int) -> str:
    """Wrap what follows the ``keep``-th line break outside any Pygments span.

    A line break inside a span (a string or comment spanning lines) is not a place to cut:
    the wrapper must not straddle a span's end tag, or the HTML would nest wrongly.
    """
    depth = lines = 0
    for token in _SPAN_OR_NEWLINE.finditer(body):
        if token[0] != "\n":
            depth += -1 if token[1] else 1
        elif depth == 0:
            lines += 1
            if lines == keep:
                return _wrap_tail(body, token.end())
    return body


def _wrap_tail(body: str, start: int) -> str:
    end = body.rfind("</code>")
    end = len(body) if end < start else end
    if not body[start:end].strip():
        return body
    return f"{body[:start]}<{WRAPPER} data-search-exclude>{body[start:end]}</{WRAPPER}>{body[end:]}"
