"""Material's palette stylesheet without the rule that restyles the whole page at start.

Material's palette switch sets ``data-md-color-switching`` on ``<body>`` while it applies
a palette, and its palette stylesheet turns transitions off for every element under that
attribute (``[data-md-color-switching] *``). Because of that rule, Chromium restyles the
whole page each time the attribute comes and goes, and Material sets and removes it when
every page starts, not only when the reader switches: two full restyles of 2,500-4,000
elements on our longer pages, about a sixth of their main-thread time on a phone. Without
the rule a palette switch fades colours in over Material's own transition times (a
quarter second at most) instead of snapping; nothing else changes.

The rule is matched exactly: if a Material release rewrites it, the build fails here,
rather than shipping a stylesheet we no longer understand.
"""

from __future__ import annotations

from aiguide.errors import GuideError

SWITCHING_RULE = ("[data-md-color-switching] *,[data-md-color-switching] :after,"
                  "[data-md-color-switching] :before{transition-duration:0s!important}")


def without_switching_rule(css: str, path: str) -> str:
    """``css`` (Material's palette stylesheet, read from ``path``) minus ``SWITCHING_RULE``."""
    found = css.count(SWITCHING_RULE)
    if found != 1:
        raise GuideError(
            f"expected Material's palette-switching rule once in its palette stylesheet, found it {found} times",
            path=path,
            fix="compare the stylesheet with SWITCHING_RULE in aiguide/palette_css.py and update the rule "
                "there (or take hooks/palette.py out of mkdocs.yml)")
    return css.replace(SWITCHING_RULE, "", 1)
