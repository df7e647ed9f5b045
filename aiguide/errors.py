"""The one error base of the project: every failure says where (``file:line``), what, and how to fix it.

A contributor who breaks a page, a figure spec or a data file should read one line that
points at the place and one that gives the command to run. Every module raises a subclass
of :class:`GuideError` so the build, the CLI and the tests handle them the same way.

>>> str(GuideError("no such kind", path="docs/a.md", line=3, fix="use one of: x, y"))
'docs/a.md:3: no such kind\\n    fix: use one of: x, y'
>>> str(GuideError("bad value", fix="edit it").at("docs/a.md", 10))
'docs/a.md:10: bad value\\n    fix: edit it'
"""

from __future__ import annotations

import copy
from typing import Self


class GuideError(Exception):
    """A problem in a source file. ``str()`` gives ``file:line: message`` and the fix.

    ``line`` is 1-based; 0 means "the file as a whole" (or, before :meth:`at`, an offset
    not yet placed in a file). Raise without a path deep inside a parser and let the
    caller that knows the file place it with :meth:`at`.
    """

    def __init__(self, message: str, *, path: str = "", line: int = 0, fix: str = ""):
        self.message, self.path, self.line, self.fix = message, path, line, fix
        super().__init__(message)

    @property
    def where(self) -> str:
        """``file:line``, ``file``, or empty when the place is not known yet."""
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def __str__(self) -> str:
        head = f"{self.where}: {self.message}" if self.where else self.message
        return head + (f"\n    fix: {self.fix}" if self.fix else "")

    def at(self, path: str, line: int) -> Self:
        """The same error placed in ``path``; ``line`` is added to a relative line already set.

        A parser that sees only a fragment (a figure's YAML, a record) reports lines
        relative to it; the caller adds where the fragment starts in the page.
        """
        placed = copy.copy(self)
        placed.path, placed.line = path, line + self.line
        placed.args = (self.message,)
        return placed

    def with_fix(self, fix: str) -> Self:
        """The same error with another fix (a caller that knows the better command)."""
        changed = copy.copy(self)
        changed.fix = fix
        return changed
