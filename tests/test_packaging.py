"""The package declares what it imports, and the tools stand on the package, not on tests/."""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """First components of the modules a file imports (at module level, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def _distributions(modules: set[str]) -> set[str]:
    """The installed distributions providing third-party modules (stdlib and ours left out)."""
    providers = importlib.metadata.packages_distributions()
    third_party = {m for m in modules if m not in sys.stdlib_module_names and m != "aiguide"}
    missing = sorted(m for m in third_party if m not in providers)
    assert not missing, f"modules no installed distribution provides: {missing}"
    return {canonicalize_name(providers[m][0]) for m in third_party}


def _declared(*groups: str) -> set[str]:
    requirements = list(PYPROJECT["dependencies"])
    for group in groups:
        requirements += PYPROJECT["optional-dependencies"][group]
    return {canonicalize_name(Requirement(r).name) for r in requirements}


SOURCES = sorted((ROOT / "aiguide").rglob("*.py"))
# What a build and `python -m aiguide figures --check --no-recompute` import: core only.
CORE = ["spec.py", "kinds.py", "catalog.py", "store.py", "records.py", "errors.py", "pages.py",
        "render", "notebooks.py", "notebook_css.py", "retrieval.py", "quant.py", "cli.py"]


def test_every_module_level_import_of_the_core_is_a_declared_dependency() -> None:
    core = [p for p in SOURCES if p.relative_to(ROOT / "aiguide").parts[0] in CORE]
    used = set().union(*(_imports(p, top_level_only=True) for p in core))
    undeclared = _distributions(used) - _declared()
    assert not undeclared, f"add to [project] dependencies in pyproject.toml: {sorted(undeclared)}"


def test_every_import_anywhere_in_the_package_is_declared_in_some_group() -> None:
    used = set().union(*(_imports(p, top_level_only=False) for p in SOURCES))
    undeclared = _distributions(used) - _declared(*PYPROJECT["optional-dependencies"])
    assert not undeclared, f"declare in pyproject.toml: {sorted(undeclared)}"


@pytest.mark.parametrize("tool", sorted((ROOT / "tools").glob("*.py")), ids=lambda p: p.name)
def test_tools_never_import_the_test_suite(tool: Path) -> None:
    assert "tests" not in _imports(tool, top_level_only=False)
    assert "sys.path.insert" not in tool.read_text(encoding="utf-8") or tool.name == "bench.py"
