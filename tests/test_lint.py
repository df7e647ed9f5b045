"""The Python code passes ruff (`make lint`), so a pull request cannot quietly add warnings."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "aiguide", "hooks", "tests", "tools"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr + "\n    fix: make lint, then fix or `ruff check --fix`"
