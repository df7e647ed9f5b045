"""Every ```python block in docs/ runs, and printed output shown as `#>` lines is real.

Fence options (written after the language, e.g. ```python test="skip" reason="..."):
- test="skip" reason="...": not run (a network call, pseudo-code); the reason is reported.
- group="name": blocks of one page with the same group run in order, sharing variables.
Update shown outputs after a change with: pytest tests/test_code_blocks.py --update-examples
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

DOCS = Path(os.environ.get("AIGUIDE_DOCS_DIR", Path(__file__).resolve().parent.parent / "docs"))


def example_groups(docs: Path) -> list[list[CodeExample]]:
    """Examples in run order: one list per group, or a list of one for ungrouped blocks."""
    groups: dict[tuple[Path, str], list[CodeExample]] = defaultdict(list)
    for example in find_examples(docs):
        group = example.prefix_settings().get("group") or f"line {example.start_line}"
        groups[(example.path, group)].append(example)
    return [groups[key] for key in sorted(groups, key=lambda k: (str(k[0]), groups[k][0].start_line))]


@pytest.mark.parametrize("examples", example_groups(DOCS), ids=lambda group: str(group[0]))
def test_code_block_runs_and_shows_its_real_output(examples: list[CodeExample], eval_example: EvalExample):
    module_globals: dict = {}
    skipped = []
    for example in examples:
        settings = example.prefix_settings()
        if settings.get("test") == "skip":
            reason = settings.get("reason")
            assert reason, f"{example}: test=\"skip\" needs reason=\"...\" saying why it cannot run"
            skipped.append(f"{example}: not run by design: {reason}")
            continue  # the group's other blocks still run
        run = eval_example.run_print_update if eval_example.update_examples else eval_example.run_print_check
        failure = None
        try:
            module_globals = run(example, module_globals=module_globals)
        except Exception as error:  # noqa: BLE001 -- whatever the block raised: report where, plainly
            failure = f"{where_raised(error, example)}: {type(error).__name__}: {error}"
        if failure:  # outside `except`, so the synthetic traceback is not chained in
            pytest.fail(failure, pytrace=False)
    if len(skipped) == len(examples):
        pytest.skip("; ".join(skipped))


def where_raised(error: BaseException, example: CodeExample) -> str:
    """``file:line`` of the innermost frame inside the Markdown file.

    pytest-examples maps frames back to the .md file; pytest's own traceback printer
    cannot format those synthetic frames (an INTERNALERROR), so we report them ourselves.
    """
    where, tb = str(example), error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(example.path):
            where = f"{example.path}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
