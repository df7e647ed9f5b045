"""The all-pages print page (mkdocs-print-site-plugin), made link-clean.

The plugin puts every page in one ``<section class="print-page" id="<page-key>">`` and
rewrites in-page links from ``#x`` to ``#<page-key>-x``. It renames the matching ids only
on headings, list items and footnote marks, so links to other targets (reference entries
``<span id="ref-...">``, code-line anchors) point nowhere in the print page and the PDF.
This renames exactly those targets, inside their own page's section, and nothing else.
"""

from __future__ import annotations

import re

_SECTION = re.compile(r'<section class="print-page" id="([^"]+)"')
_HREF = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')


def fix_anchor_targets(html: str) -> str:
    """Give each dangling ``#<page-key>-x`` link its target by renaming ``id="x"`` in that page.

    >>> page = ('<section class="print-page" id="a"><a href="#a-ref-1">1</a>'
    ...         '<span id="ref-1"></span></section>')
    >>> fix_anchor_targets(page).endswith('<span id="a-ref-1"></span></section>')
    True
    """
    ids = set(_ID.findall(html))
    starts = [(m.start(), m[1]) for m in _SECTION.finditer(html)]
    bounds = {key: (start, starts[i + 1][0] if i + 1 < len(starts) else len(html))
              for i, (start, key) in enumerate(starts)}
    renames: dict[str, list[str]] = {}
    for target in sorted(set(_HREF.findall(html)) - ids):
        key = next((k for k in sorted(bounds, key=len, reverse=True) if target.startswith(k + "-")), None)
        if key is not None:
            renames.setdefault(key, []).append(target[len(key) + 1:])
    for key, old_ids in renames.items():
        start, end = bounds[key]
        section = html[start:end]
        for old in old_ids:
            section = section.replace(f'id="{old}"', f'id="{key}-{old}"', 1)
        html = html[:start] + section + html[end:]
        # Later sections moved by the length change; recompute their bounds.
        shift = len(section) - (end - start)
        bounds = {k: (s + shift if s > start else s, e + shift if e > start else e)
                  for k, (s, e) in bounds.items()}
    return html
