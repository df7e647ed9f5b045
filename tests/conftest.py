"""Shared fixtures: the project root, the site built once per test session, options."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aiguide.models.paths import NO_MODELS_VARIABLE

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--online", action="store_true",
                     help="also check external links (needs the internet)")


def pytest_report_header(config: pytest.Config) -> str:
    """The hash seed, so that a failure which depends on set or dict order can be replayed."""
    seed = os.environ.get("PYTHONHASHSEED", "random (unset)")
    return (f"PYTHONHASHSEED={seed}; replay with `make test HASHSEED=<n>` "
            f"or `PYTHONHASHSEED=<n> .venv/bin/python -m pytest ...`")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many generated cases the fuzz tests ran (tests/test_fuzz.py)."""
    fuzz = sys.modules.get("tests.test_fuzz")
    if fuzz is not None and fuzz.CASES:
        terminalreporter.section("generated cases")
        for name, count in sorted(fuzz.CASES.items()):
            terminalreporter.write_line(f"{count:6d}  {name}")
        terminalreporter.write_line(f"{sum(fuzz.CASES.values()):6d}  in total")


# A code block that reads a model: it belongs to `make test`, not to `make test-fast`.
_LOADS_A_MODEL = re.compile(r"aiguide\.(models|compute)\b|\bload_(minilm|smollm2)\b|"
                            r"\b(tokenize|embed|search|render_chat)\(")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the code-block and notebook tests whose code loads a model with ``models``.

    `make test-fast` deselects them and sets AIGUIDE_NO_MODELS, so one that slips through
    fails instead of quietly loading weights.
    """
    for item in items:
        params = item.callspec.params if hasattr(item, "callspec") else {}
        sources = [example.source for example in params.get("examples") or []]
        sources += [Path(p).read_text(encoding="utf-8") for p in params.values()
                    if isinstance(p, (str, Path)) and str(p).endswith(".ipynb")]
        if any(_LOADS_A_MODEL.search(source) for source in sources):
            item.add_marker(pytest.mark.models)


def contributor_env() -> dict[str, str]:
    """The environment a contributor's own command runs in: this one, without the switch
    `make test-fast` sets to keep the tests' own process from loading a model."""
    return {k: v for k, v in os.environ.items() if k != NO_MODELS_VARIABLE}


def build_site(config: Path, site_dir: Path, *, strict: bool = True,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build` as a contributor would, capturing its output.

    The build reads model files as `make build` does (the playground's tokenizer data, the
    encoder's weights, both cached in .cache/), so `make test-fast`'s switch that keeps the
    tests themselves from loading a model is not passed on to it."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site_dir)]
    return subprocess.run(command + (["--strict"] if strict else []), cwd=config.parent,
                          capture_output=True, text=True, env={**contributor_env(), **(env or {})},
                          check=False)  # callers assert on the result


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with --strict; a failed build fails every test using it."""
    site = tmp_path_factory.mktemp("site")
    result = build_site(ROOT / "mkdocs.yml", site)
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr[-4000:]}", pytrace=False)
    return site


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline copy as `make offline` builds it (file:// URLs, the all-pages print page)."""
    site = tmp_path_factory.mktemp("offline") / "ai-guide-offline"
    result = build_site(ROOT / "mkdocs.yml", site, env={"AIGUIDE_OFFLINE": "true", "AIGUIDE_PRINT": "true"})
    if result.returncode != 0:
        pytest.fail(f"offline build failed:\n{result.stderr[-4000:]}", pytrace=False)
    return site


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once per session through Playwright's sync API.

    One Playwright for the whole session: the sync API cannot start a second instance
    while another is running, so every browser test and the PDF test share this one.
    """
    from tests.browser import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if not path:
        message = "Chromium is not installed (make test installs it with apt-get)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served on 127.0.0.1 for the browser tests, once per session."""
    from tests.browser import serve

    with serve(built_site) as url:
        yield url
