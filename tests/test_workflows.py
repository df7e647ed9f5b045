"""GitHub Actions workflows: valid YAML, actions pinned by SHA, least permissions, and no
`pull_request_target` (which would run untrusted code with write access).

(actionlint would be the better tool, but its PyPI wrapper downloads the binary at install
time, which this project's offline set-up cannot do.)
"""

from __future__ import annotations

import re
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
