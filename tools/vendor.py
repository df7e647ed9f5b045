"""Wrap npm packages as classic scripts under docs/assets/javascripts/vendor/ (`make vendor`).

The packages ship CommonJS and ES modules; neither loads from file:// (module scripts are
refused there), so each is wrapped in a function that gives it `module` and `require` and
publishes its exports on one global. Run by `make vendor` after `npm install`; the output is
committed, so building the site never needs npm.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "docs" / "assets" / "javascripts" / "vendor"

# global name, output file, (package folder, CommonJS file), packages it requires
BUNDLES = [
    ("aigJsTiktoken", "js-tiktoken-lite.js", ("js-tiktoken", "dist/lite.cjs"), ["base64-js"]),
    ("aigHFTokenizers", "hf-tokenizers.js",
     ("@huggingface/tokenizers", "dist/tokenizers.min.cjs"), []),
]
MAINS = {"base64-js": "index.js"}


def _module(source: str) -> str:
    return f"function (module, exports, require) {{\n{source}\n}}"


def wrap(name: str, main: str, requires: dict[str, str], header: str) -> str:
    """One classic script: the dependencies' factories, then the main one, then the global."""
    deps = ",\n".join(f"{n!r}: {_module(src)}" for n, src in sorted(requires.items()))
    return (f"/* {header} */\n(function () {{\n"
            f"  var factories = {{\n{deps}\n}};\n  var cache = {{}};\n"
            "  function req(n) {\n"
            "    if (!(n in cache)) { var m = { exports: {} }; cache[n] = m;"
            " factories[n](m, m.exports, req); }\n"
            "    return cache[n].exports;\n  }\n"
            f"  var main = {{ exports: {{}} }};\n  ({_module(main)})(main, main.exports, req);\n"
            f"  window.{name} = main.exports;\n}})();\n")


def main(node_modules: Path) -> None:
    import json

    for name, out, (package, file), deps in BUNDLES:
        folder = node_modules / package
        meta = json.loads((folder / "package.json").read_text())
        requires = {d: (node_modules / d / MAINS[d]).read_text() for d in deps}
        header = (f"{package} {meta['version']} ({meta.get('license', '')}), "
                  + "".join(f"{d} {json.loads((node_modules / d / 'package.json').read_text())['version']}, "
                            for d in deps)
                  + "wrapped by tools/vendor.py; licences in the .LICENSE files beside this one")
        (VENDOR / out).write_text(wrap(name, (folder / file).read_text(), requires, header))
        for pkg in [package, *deps]:
            _licence(node_modules / pkg, VENDOR / (pkg.replace("@", "").replace("/", "-") + ".LICENSE"))


def _licence(folder: Path, target: Path) -> None:
    """The package's own licence file; js-tiktoken ships none, so say what its package.json
    declares, with the MIT text."""
    found = sorted(p for p in folder.iterdir() if p.name.upper().startswith(("LICENSE", "LICENCE")))
    if found:
        shutil.copyfile(found[0], target)
        return
    import json

    meta = json.loads((folder / "package.json").read_text())
    if meta.get("license") != "MIT":
        raise SystemExit(f"{folder.name}: no licence file and licence {meta.get('license')!r}")
    repo = meta.get("repository", {})
    target.write_text(
        f"{meta['name']} {meta['version']}: the package ships no licence file; its package.json "
        f"declares the MIT licence (repository: {repo.get('url', repo) if isinstance(repo, dict) else repo}).\n\n"
        + MIT)


MIT = """MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


if __name__ == "__main__":
    main(Path(sys.argv[1]))
