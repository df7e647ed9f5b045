"""`make bench`: build time, hook and figure costs, scaling, page weight. Prints a table and
writes JSON. Times are reported, never asserted (budgets on sizes live in tests/test_budgets.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiguide import store
from aiguide.markdown import figure_fences
from aiguide.pages import strip_test_options
from aiguide.render import render


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def mkdocs(config: Path, out: Path) -> float:
    return timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)],
                 config.parent)


def median_build(config: Path, runs: int, *, cold_notebooks: bool = False) -> float:
    """Median wall time of ``runs`` builds of ``config``.

    Notebooks are converted once and cached by content hash (mkdocs-jupyter's cache); a
    cold run gets an empty cache each time, a warm one reuses a cache filled beforehand.
    """
    with tempfile.TemporaryDirectory() as tmp:
        warm = with_cache_dir(config, Path(tmp) / "cache-warm")
        if not cold_notebooks:
            mkdocs(warm, Path(tmp) / "prime")
        times = []
        for i in range(runs):
            run_config = with_cache_dir(config, Path(tmp) / f"cache-cold-{i}") if cold_notebooks else warm
            times.append(mkdocs(run_config, Path(tmp) / f"s{i}"))
        return statistics.median(times)


def with_cache_dir(config: Path, cache: Path) -> Path:
    """A copy of ``config`` next to it whose notebook cache lives in ``cache``."""
    text = config.read_text(encoding="utf-8")
    text = text.replace("  - mkdocs-jupyter:\n", f"  - mkdocs-jupyter:\n      cache_dir: {cache}\n", 1)
    out = config.with_name(f"mkdocs-{cache.name}.yml")
    out.write_text(text, encoding="utf-8")
    return out


def variant(tmp: Path, *, figures: bool, hooks: bool, notebooks: bool) -> Path:
    """The site's own Markdown and config with figures, hooks or notebooks taken out."""
    shutil.copytree(ROOT / "docs", tmp / "docs",
                    ignore=None if notebooks else shutil.ignore_patterns("*.ipynb"))
    for page in (tmp / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if not figures:
            text = re.sub(r"^```figure\n.*?^```\n", "", text, flags=re.DOTALL | re.MULTILINE)
        if not hooks:
            # What hooks/pages.py does for every build: without it SuperFences would show
            # python blocks carrying test options as unhighlighted inline code, and the
            # "plain" build would skip the syntax highlighting a reader sees.
            text = strip_test_options(text)
        page.write_text(text, encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if not notebooks:
        config = re.sub(r"      - [^\n]*\.ipynb\n", "", config)
        config = re.sub(r"  - [^\n]*:\n(?!      )", "", config)  # a nav section left empty
        config = re.sub(r"  - mkdocs-jupyter:\n(      .*\n)+", "", config)
    if not hooks:
        config = re.sub(r"\nhooks:\n(  - .*\n)+", "\n", config)
    config = config.replace("hooks/", f"{ROOT}/hooks/").replace("custom_dir: overrides", f"custom_dir: {ROOT}/overrides")
    (tmp / "mkdocs.yml").write_text(config, encoding="utf-8")
    return tmp / "mkdocs.yml"


def build_costs(runs: int) -> dict[str, float]:
    """The whole build against the same Markdown without our figures, hooks and notebooks."""
    notebooks = len(list((ROOT / "docs").rglob("*.ipynb")))
    with tempfile.TemporaryDirectory() as tmp:
        plain = median_build(variant(Path(tmp) / "plain", figures=False, hooks=False, notebooks=False), runs)
        hooked = median_build(variant(Path(tmp) / "hooked", figures=True, hooks=True, notebooks=False), runs)
        full = variant(Path(tmp) / "full", figures=True, hooks=True, notebooks=True)
        warm = median_build(full, runs)
        cold = median_build(full, runs, cold_notebooks=True)
    return {
        "plain_s": round(plain, 2), "with_figures_and_hooks_s": round(hooked, 2),
        "full_warm_s": round(warm, 2), "full_cold_s": round(cold, 2),
        "ratio_full_cold_to_plain": round(cold / plain, 2),
        "ratio_full_warm_to_plain": round(warm / plain, 2),
        "hooks_and_figures_pct": round(100 * (hooked - plain) / plain, 1),
        "notebooks": notebooks,
        "per_notebook_cold_s": round((cold - hooked) / max(notebooks, 1), 2),
        "per_notebook_warm_s": round((warm - hooked) / max(notebooks, 1), 2),
    }


def hook_share() -> dict[str, float]:
    """Our hooks' own share of a build (notebooks excluded), attributed by cProfile.

    The side-by-side ratio above also counts what the figures' content costs Material (more
    HTML to index and write) and is noisy at 5% on a 2-core machine; this counts only time
    spent inside hooks/*.py and the figure fence formatter. The profiler slows Python code
    more than C code, so the share it reports errs high.
    """
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        config = variant(Path(tmp) / "hooked", figures=True, hooks=True, notebooks=False)
        profile = Path(tmp) / "build.prof"
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mkdocs", "build",
                        "-q", "-f", str(config), "-d", str(Path(tmp) / "site")],
                       cwd=config.parent, check=True, capture_output=True)
        stats = pstats.Stats(str(profile))
    total = max(ct for *_, ct, _ in stats.stats.values())  # the outermost call
    ours = sum(ct for (path, _, name), (*_, ct, _) in stats.stats.items()
               if (f"{os.sep}hooks{os.sep}" in path and name.startswith("on_"))
               or (path.endswith(f"aiguide{os.sep}fence.py") and name == "format_figure"))
    return {"build_profiled_s": round(total, 2), "hooks_s": round(ours, 3),
            "hooks_pct": round(100 * ours / total, 1)}


def figure_costs() -> dict[str, dict[str, float]]:
    per_kind: dict[str, list[float]] = {}
    started = time.perf_counter()
    records = [json.loads(p.read_text()) for p in sorted(store.DATA_DIR.glob("*.json"))]
    load_ms = (time.perf_counter() - started) * 1000 / max(len(records), 1)
    for record in records:
        started = time.perf_counter()
        for _ in range(20):
            render(record, caption="c")
        per_kind.setdefault(record["kind"], []).append((time.perf_counter() - started) * 1000 / 20)
    return {kind: {"render_ms": round(statistics.mean(ms), 2), "load_ms": round(load_ms, 2)}
            for kind, ms in sorted(per_kind.items())}


def scaling(sizes: list[int]) -> dict[int, float]:
    """ms per page for generated corpora, each page carrying a figure of every kind."""
    fences = []
    for page in sorted((ROOT / "docs" / "contributing").glob("figures.md")):
        fences = ["```figure\n" + b.source + "\n```" for b in figure_fences(page.read_text(), str(page))]
    front = "---\ntitle: Page {n}\ndescription: A generated page used to measure how the build scales with size.\nreviewed: 2026-11-28\nauthors: [Bench]\n---\n\n# Page {n}\n\n"
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            docs = Path(tmp) / "docs"
            docs.mkdir()
            # In sections of 20 pages, as a large guide would be organised: with
            # navigation.prune each page then carries its own section's links, not all 1000.
            for n in range(size):
                page = docs / f"s{n // 20:02}" / f"p{n:04}.md"
                page.parent.mkdir(exist_ok=True)
                page.write_text(front.format(n=n) + "## Section\n\nText.\n\n" + "\n\n".join(fences))
            (docs / "index.md").write_text(front.format(n="index"))
            config = Path(tmp) / "mkdocs.yml"
            config.write_text(
                "site_name: Scale\ntheme: {name: material, font: false, features: [navigation.prune]}\n"
                f"hooks: [{ROOT}/hooks/pages.py]\n"
                "markdown_extensions:\n  - attr_list\n  - md_in_html\n"
                "  - pymdownx.superfences:\n      custom_fences:\n        - name: figure\n"
                "          class: figure\n"
                "          format: !!python/name:aiguide.fence.format_figure\n  - aiguide\n")
            seconds = mkdocs(config, Path(tmp) / "site")
            results[size] = round(seconds * 1000 / size, 1)
    return results


def figures_tool() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "aiguide", "figures", "--data", tmp]
        scratch = timed(cmd, ROOT)
        noop = timed(cmd, ROOT)
    python = timed([sys.executable, "-c", "pass"], ROOT)
    return {"from_scratch_s": round(scratch, 2), "no_op_s": round(noop, 2), "python_start_s": round(python, 2)}


def page_weights(site: Path) -> dict[str, dict[str, int]]:
    weights = {}
    for page in sorted(site.rglob("index.html")):
        html = page.read_bytes()
        figures = re.findall(rb'<figure class="aig-figure.*?</figure>', html, re.DOTALL)
        assets = re.findall(rb'<(?:link[^>]+href|script[^>]+src)="([^"]+\.(?:css|js))"', html)
        asset_bytes = [(page.parent / a.decode()).resolve().read_bytes() for a in assets if not a.startswith(b"http")]
        weights[str(page.relative_to(site))] = {
            "html": len(html), "html_gz": len(gzip.compress(html)),
            "assets_gz": sum(len(gzip.compress(b)) for b in asset_bytes),
            "largest_figure_gz": max((len(gzip.compress(f)) for f in figures), default=0),
        }
    index = site / "search" / "search_index.json"
    weights["search/search_index.json"] = {"html": index.stat().st_size, "html_gz": len(gzip.compress(index.read_bytes())),
                                          "assets_gz": 0, "largest_figure_gz": 0}
    return weights


PLAYGROUND_WARM = """(name) => {
  const text = ("Über 1234567 naïve 🤖 <b>hi</b> the quick brown fox, 42 times. ").repeat(12).slice(0, 500);
  aigTok.tokenize(name, text, false);
  const times = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    aigTok.tokenize(name, text + i, false);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[7];
}"""
READY = "() => ['cl100k_base', 'minilm', 'smollm2'].every((n) => document.querySelector(`[data-tokenizer=${n}][data-ids]`))"


def playground(site: Path) -> dict:
    """The tokenizer playground in Chromium: first-use download (gzipped), first keystroke to
    first tokens (cold cache, then warm cache), and warm tokenization of 500 characters."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path, serve

    out: dict = {}
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        loaded: list[str] = []
        page.on("requestfinished", lambda r: loaded.append(r.url))
        for run in ("cold", "warm"):
            page.goto(url + "try-it/tokenizers/", wait_until="networkidle")
            loaded.clear()
            started = time.perf_counter()
            page.fill("#aig-tokplay-text", "Über 1234567 naïve 🤖 <b>hi</b>")
            page.wait_for_function(READY, timeout=60000)
            out[f"first_tokens_{run}_ms"] = round((time.perf_counter() - started) * 1000)
            if run == "cold":
                files = [site / u[len(url):] for u in loaded if u.startswith(url)]
                out["first_use_gz_bytes"] = sum(len(gzip.compress(f.read_bytes())) for f in files if f.is_file())
                out["first_use_files"] = len(files)
        for name in ("cl100k_base", "minilm", "smollm2"):
            out[f"warm_500_chars_ms_{name}"] = round(page.evaluate(PLAYGROUND_WARM, name), 2)
        browser.close()
    out["target_warm_met"] = all(out[f"warm_500_chars_ms_{n}"] < 20 for n in ("cl100k_base", "minilm", "smollm2"))
    out["target_download_met"] = out["first_use_gz_bytes"] < 2_000_000
    return out


def print_playground(r: dict) -> None:
    print(f"playground: first use downloads {r['first_use_gz_bytes'] / 1e6:.2f} MB gzipped in "
          f"{r['first_use_files']} files (target < 2 MB: {'met' if r['target_download_met'] else 'NOT met'})")
    print(f"playground: first keystroke to first tokens {r['first_tokens_cold_ms']} ms cold, "
          f"{r['first_tokens_warm_ms']} ms warm (cache)")
    print("playground: warm 500 characters " + ", ".join(
        f"{n} {r[f'warm_500_chars_ms_{n}']} ms" for n in ("cl100k_base", "minilm", "smollm2"))
        + f" (target < 20 ms each: {'met' if r['target_warm_met'] else 'NOT met'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--only-playground", action="store_true", help="only the playground section")
    args = parser.parse_args()
    if args.only_playground:
        with tempfile.TemporaryDirectory() as tmp:
            mkdocs(ROOT / "mkdocs.yml", Path(tmp) / "site")
            print_playground(playground(Path(tmp) / "site"))
        return 0
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    results["build"] = b = build_costs(args.runs)
    print(f"build (median of {args.runs}): plain Markdown {b['plain_s']} s · with figures and hooks "
          f"{b['with_figures_and_hooks_s']} s (+{b['hooks_and_figures_pct']}%, target ≤ 5%) · "
          f"full {b['full_cold_s']} s with {b['notebooks']} notebooks converted, {b['full_warm_s']} s cached")
    print(f"  ratio full/plain: {b['ratio_full_cold_to_plain']} cold, {b['ratio_full_warm_to_plain']} cached · "
          f"per notebook {b['per_notebook_cold_s']} s converted, {b['per_notebook_warm_s']} s unchanged "
          "(target ≤ 0.3 s)")
    results["hooks"] = h = hook_share()
    print(f"hooks' own time (cProfile): {h['hooks_s']} s of {h['build_profiled_s']} s, "
          f"{h['hooks_pct']}% (target ≤ 5%)")
    results["figures"] = figure_costs()
    for kind, cost in results["figures"].items():
        print(f"figure {kind:16} render {cost['render_ms']:6.2f} ms  load {cost['load_ms']:.2f} ms")
    results["figures_tool"] = figures_tool()
    print("make figures: from scratch {from_scratch_s} s, no-op {no_op_s} s (python start {python_start_s} s)".format(**results["figures_tool"]))
    with tempfile.TemporaryDirectory() as tmp:
        mkdocs(ROOT / "mkdocs.yml", Path(tmp) / "site")
        results["pages"] = page_weights(Path(tmp) / "site")
        results["playground"] = playground(Path(tmp) / "site")
    print_playground(results["playground"])
    print(f"{'page':48} {'html':>8} {'html gz':>8} {'css+js gz':>10} {'max fig gz':>10}")
    for page, w in results["pages"].items():
        print(f"{page:48} {w['html']:8} {w['html_gz']:8} {w['assets_gz']:10} {w['largest_figure_gz']:10}")
    results["scaling_ms_per_page"] = scaling([int(s) for s in args.sizes.split(",")])
    for size, ms in results["scaling_ms_per_page"].items():
        print(f"scaling: {size:5} pages  {ms:7.1f} ms/page")
    sizes = sorted(results["scaling_ms_per_page"])
    if len(sizes) > 1:
        growth = results["scaling_ms_per_page"][sizes[-1]] / results["scaling_ms_per_page"][sizes[0]]
        results["scaling_growth"] = round(growth, 2)
        print(f"scaling: ms/page at {sizes[-1]} pages is {growth:.2f}× that at {sizes[0]} (target ≤ 1.5×)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
