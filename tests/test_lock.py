"""The locks: every install is hash-checked, and the locks hold only what is asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
LOCKS = sorted(REQUIREMENTS.glob("*.lock"))


def _entries(lock: Path) -> dict[str, tuple[list[str], str]]:
    """``name -> (hashes, via)`` for each pinned package of a lock file."""
    entries: dict[str, tuple[list[str], str]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock.read_text(encoding="utf-8")):
        pin = re.match(r"([A-Za-z0-9_.-]+)==\S+", block)
        if pin:
            via = re.search(r"# via (.*)", block)
            entries[pin.group(1).lower()] = (re.findall(r"--hash=sha256:([0-9a-f]{64})", block),
                                             via.group(1) if via else "")
    return entries


def test_there_is_a_lock_per_group_and_for_the_model_packages() -> None:
    assert {p.stem for p in LOCKS} == {"site", "figures", "test", "mutation", "models"}


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.name)
def test_every_locked_package_has_a_hash(lock: Path) -> None:
    entries = _entries(lock)
    assert entries and all(hashes for hashes, _ in entries.values()), lock.name


@pytest.mark.parametrize("lock", [p for p in LOCKS if p.stem != "models"], ids=lambda p: p.name)
def test_every_locked_package_is_asked_for_by_a_requirement_or_a_dependency(lock: Path) -> None:
    """`pip freeze` once locked whatever the venv held (pytest-xdist, execnet)."""
    orphans = [name for name, (_, via) in _entries(lock).items()
               if not re.sub(r"-c requirements/constraints\.txt,?\s*", "", via).strip()]
    assert not orphans, f"{lock.name}: nothing requires {orphans}"


def test_the_model_packages_are_locked_at_the_versions_requirements_name() -> None:
    named = re.findall(r"^([A-Za-z0-9_.-]+==\S+)", (REQUIREMENTS / "models.txt").read_text(),
                       re.MULTILINE)
    locked = re.findall(r"^([A-Za-z0-9_.-]+==\S+)", (REQUIREMENTS / "models.lock").read_text(),
                        re.MULTILINE)
    assert named and named == locked


def test_the_makefile_installs_only_from_hashed_locks() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = re.findall(r"^\t\$\(PIP\) install (.*)$", makefile, re.MULTILINE)
    assert installs
    for line in installs:
        assert "$(HASHED)" in line and ".lock" in line or line == "--no-deps -e .", line
    assert "HASHED := --require-hashes --no-deps" in makefile
