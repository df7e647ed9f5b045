"""The project's chores in one command: ``python -m aiguide <figures|stale> [options]``.

``figures``          compute every missing or stale figure record from the real models
``figures --check``  exit 1, naming each figure, if any record is missing, stale, orphaned
                     or no longer reproduced by the models (``--no-recompute`` skips that
                     last, slow part)
``stale``            list dated facts (``<!-- md:asof -->``), oldest first
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from aiguide import store
from aiguide.markdown import figure_fences
from aiguide.pages import PageError, shown_path
from aiguide.spec import FigureError, Spec, parse_spec

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Located:
    """A parsed spec and the first place it appears."""

    spec: Spec
    where: str


def collect_specs(docs_dir: Path) -> tuple[dict[str, Located], list[FigureError]]:
    """Every figure spec under ``docs_dir`` by key, and the specs that failed to parse."""
    found: dict[str, Located] = {}
    errors: list[Exception] = []
    for page in sorted(docs_dir.rglob("*.md")):
        shown = shown_path(page)
        # The fences SuperFences finds, as the build does: what is computed is what is shown.
        try:
            blocks = figure_fences(page.read_text(encoding="utf-8"), shown)
        except PageError as error:  # an unclosed fence: the page's other figures wait
            errors.append(error)
            continue
        for block in blocks:
            try:
                spec = parse_spec(block.source)
            except FigureError as error:
                errors.append(error.at(shown, block.line))
                continue
            found.setdefault(spec.key, Located(spec, f"{shown}:{block.line}"))
    return found, errors


def stale_reason(record: dict | store.RecordError | None, spec: Spec) -> str | None:
    """Why a stored record cannot be used as it is, or None if it can."""
    from aiguide.compute import COMPUTE_VERSION

    if record is None:
        return "missing"
    if isinstance(record, store.RecordError):
        return f"unusable: {record.message}"
    if record.get("spec") != {"kind": spec.kind, **spec.params}:
        return "stored spec differs from the page"
    if record.get("provenance", {}).get("tool_version") != COMPUTE_VERSION:
        return f"made by tool version {record.get('provenance', {}).get('tool_version')}"
    return None


def _stored(key: str, data_dir: Path) -> dict | store.RecordError | None:
    """The stored record, None if there is none, or why it cannot be used (so it is redone)."""
    try:
        return store.read_record(key, data_dir)
    except store.RecordError as error:
        return error


def run_figures(docs_dir: Path, data_dir: Path, *, check: bool, force: bool, recompute: bool) -> int:
    specs, errors = collect_specs(docs_dir)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    problems = [e.path for e in errors]
    todo = []
    for key, located in specs.items():
        reason = "forced" if force else stale_reason(_stored(key, data_dir), located.spec)
        if reason:
            todo.append((located, reason))
    if check:
        for located, reason in todo:
            print(f"{located.where}: figure {located.spec.key}: {reason}", file=sys.stderr)
        problems += [located.where for located, _ in todo]
        for key in sorted(store.stored_keys(data_dir) - set(specs)):
            print(f"{shown_path(store.record_path(key, data_dir))}: orphaned (no page uses it)",
                  file=sys.stderr)
            problems.append(key)
        if recompute:
            problems += _check_reproduced(specs, data_dir, skip={l.spec.key for l, _ in todo})
        if problems:
            print(f"\n{len(problems)} problem(s). Fix: run `make figures` (it also deletes "
                  "orphaned records) and commit data/figures/.", file=sys.stderr)
            return 1
        print(f"figures: {len(specs)} records present, current and reproduced"
              + ("" if recompute else " (reproduction not checked: --no-recompute)"))
        return 0
    return _compute_all(todo, specs, data_dir, problems)


def _compute_all(todo: list, specs: dict[str, Located], data_dir: Path, problems: list) -> int:
    from aiguide.compute import compute_record

    written = 0
    for number, (located, reason) in enumerate(todo, start=1):
        started = time.perf_counter()
        print(f"[{number}/{len(todo)}] {located.spec.key} ({located.where}, {reason}) ...",
              end="", flush=True, file=sys.stderr)
        try:
            record = compute_record(located.spec)
        except FigureError as error:
            print(" failed", file=sys.stderr)
            path, line = located.where.rsplit(":", 1)
            print(f"error: {error.at(path, int(line))}", file=sys.stderr)
            problems.append(located.where)
            continue
        written += store.write_record(record, data_dir)
        print(f" {time.perf_counter() - started:.1f} s", file=sys.stderr)
    removed = sorted(store.stored_keys(data_dir) - set(specs))
    for key in removed:
        store.record_path(key, data_dir).unlink()
    print(f"figures: {len(specs)} in the docs, {written} written, {len(removed)} orphaned removed,"
          f" {len(specs) - len(todo)} already current")
    return 1 if problems else 0


def _check_reproduced(specs: dict[str, Located], data_dir: Path, skip: set[str]) -> list[str]:
    """Recompute every record and compare: the models must still give the stored numbers."""
    from aiguide.compute import close_enough, compute_record

    failed = []
    for number, (key, located) in enumerate(sorted(specs.items()), start=1):
        if key in skip:
            continue
        print(f"[{number}/{len(specs)}] reproducing {key} ...", end="", flush=True, file=sys.stderr)
        stored = store.read_record(key, data_dir)
        fresh = json.loads(store.dumps(compute_record(located.spec)))
        difference = close_enough(stored["data"], fresh["data"])
        print(" ok" if difference is None else " DIFFERS", file=sys.stderr)
        if difference:
            print(f"{located.where}: figure {key} is no longer reproduced: {difference}",
                  file=sys.stderr)
            failed.append(located.where)
    return failed


def run_stale(docs_dir: Path) -> int:
    from aiguide.pages import stale_report

    facts = stale_report(docs_dir)
    for fact in facts:
        print(f"{fact.date}  {shown_path(Path(fact.path))}:{fact.line}  {fact.text}")
    print(f"{len(facts)} dated fact(s), oldest first.")
    return 0


def run_notebooks(paths: list[Path]) -> int:
    """Execute each notebook top to bottom and save it with its fresh outputs."""
    import nbformat

    from aiguide.notebooks import execute, saved_form

    for path in paths:
        stored = nbformat.read(path, as_version=4)
        nbformat.write(saved_form(stored, execute(stored, cwd=path.parent)), path)
        print(f"{shown_path(path)}: executed and saved")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aiguide", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    figures = commands.add_parser("figures", help="compute or check figure data")
    figures.add_argument("--check", action="store_true", help="report problems, write nothing")
    figures.add_argument("--force", action="store_true", help="recompute every record")
    figures.add_argument("--no-recompute", action="store_true",
                         help="with --check: skip re-running the models")
    figures.add_argument("--docs", type=Path, default=ROOT / "docs")
    figures.add_argument("--data", type=Path, default=None,
                         help="the record folder (default: data/figures or $AIGUIDE_DATA_DIR)")
    stale = commands.add_parser("stale", help="list dated facts, oldest first")
    stale.add_argument("--docs", type=Path, default=ROOT / "docs")
    notebooks = commands.add_parser("notebooks", help="re-run notebooks and save their outputs")
    notebooks.add_argument("paths", type=Path, nargs="+", help="the .ipynb files")
    args = parser.parse_args(argv)
    if args.command == "notebooks":
        return run_notebooks(args.paths)
    if args.command == "figures":
        return run_figures(args.docs, args.data or store.data_dir(), check=args.check, force=args.force,
                           recompute=not args.no_recompute)
    return run_stale(args.docs)


if __name__ == "__main__":
    sys.exit(main())
