"""`make bench`: build time, hook and figure costs, scaling, page weight, and what a reader's
browser does (Lighthouse, bytes transferred, search). Prints a table and writes JSON. Times
are reported, never asserted (budgets on sizes live in tests/test_budgets.py).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
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
        # Comment lines too: mkdocs.yml explains each hook above it.
        config = re.sub(r"\nhooks:\n(?:  [-#].*\n)+", "\n", config)
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

    from aiguide.browser import CHROMIUM_ARGS, chromium_path, serve

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


PLAYGROUND_LIMIT = 5000  # characters the playground tokenizes (LIMIT in tokplay-ui.js)
TOKENIZE_ONCE = """({name, text}) => {
  const t0 = performance.now();
  aigTok.tokenize(name, text, false);
  return performance.now() - t0;
}"""
WATCH_FRAMES = """() => {
  window.aigBenchFrames = [];
  new PerformanceObserver((list) => {
    for (const f of list.getEntries()) window.aigBenchFrames.push(f.duration);
  }).observe({type: "long-animation-frame"});
}"""


def limit_texts(count: int) -> list[str]:
    """``count`` different texts of the playground's limit, cut from the guide's own pages
    (prose, code, tables): different, so no tokenizer's cache of pieces already seen helps."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md")))
    step = max(1, (len(pages) - PLAYGROUND_LIMIT) // count)
    return [pages[i * step : i * step + PLAYGROUND_LIMIT] for i in range(count)]


def playground_limit(site: Path, runs: int = 5) -> dict:
    """The playground at its limit: main-thread time of one tokenization of 5,000 characters
    by each tokenizer (median and worst of ``runs`` texts), and the longest animation frame
    while the page shows a paste of more than that (tokenizing and drawing the chips)."""
    from playwright.sync_api import sync_playwright

    from aiguide.browser import CHROMIUM_ARGS, chromium_path, serve

    names = ("cl100k_base", "minilm", "smollm2")
    texts = limit_texts(runs + 1)
    out: dict = {}
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url + "try-it/tokenizers/", wait_until="networkidle")
        page.fill("#aig-tokplay-text", "warm up")
        page.wait_for_function(READY, timeout=60000)
        for name in names:
            times = sorted(page.evaluate(TOKENIZE_ONCE, {"name": name, "text": t}) for t in texts[:runs])
            out[f"tokenize_5000_ms_{name}"] = round(statistics.median(times), 1)
            out[f"tokenize_5000_worst_ms_{name}"] = round(times[-1], 1)
        page.evaluate("() => document.querySelectorAll('[data-tokenizer]').forEach((r) => delete r.dataset.ids)")
        page.evaluate(WATCH_FRAMES)
        page.fill("#aig-tokplay-text", texts[runs] + texts[0][:1000])  # over the limit
        page.wait_for_function("() => document.querySelector('[data-aig=note]').textContent !== ''")
        page.wait_for_function(READY, timeout=60000)
        page.wait_for_timeout(1500)
        frames = page.evaluate("window.aigBenchFrames")
        out["paste_longest_frame_ms"] = round(max(frames, default=0))
        out["paste_frames_over_50_ms"] = len([f for f in frames if f > 50])
        browser.close()
    return out


def print_playground_limit(r: dict) -> None:
    print(f"playground at {PLAYGROUND_LIMIT:,} characters: one tokenization " + ", ".join(
        f"{n} {r[f'tokenize_5000_ms_{n}']} ms (worst {r[f'tokenize_5000_worst_ms_{n}']})"
        for n in ("cl100k_base", "minilm", "smollm2")))
    print(f"  a longer paste: longest frame {r['paste_longest_frame_ms']} ms, "
          f"{r['paste_frames_over_50_ms']} frames over 50 ms")


ENCODER_SIZES = (16, 32, 128)
ENCODER_FORWARD = """async ({n, runs}) => {
  const container = document.querySelector("[data-aig-encoder]");
  const manifest = JSON.parse(container.dataset.aigEncoder);
  const base = new URL(container.dataset.assets, location.href);
  // On this thread, not in the worker: the same code and engine, timed without messages.
  const runner = await aigEncoder.load(manifest, base, () => {}, {worker: false});
  const cfg = manifest.config;
  const ids = [manifest.tokenizer.cls, ...Array(n - 2).fill(manifest.tokenizer.cls + 1000), manifest.tokenizer.sep];
  const time = () => {
    const t0 = performance.now();
    aigMiniLM.forward(runner.weights, cfg, ids);
    return performance.now() - t0;
  };
  const cold = time();
  const warm = Array.from({length: runs}, time).sort((a, b) => a - b);
  return {cold, warm: warm[runs >> 1]};
}"""


def encoder(site: Path, runs: int = 7) -> dict:
    """The in-browser MiniLM in Chromium: bytes a reader downloads on pressing the button
    (gzipped), and one forward pass of 16, 32 and 128 tokens, cold (the first in a fresh
    page, before the JIT has seen the code) and warm (median of ``runs``)."""
    from playwright.sync_api import sync_playwright

    from aiguide.browser import CHROMIUM_ARGS, chromium_path, serve

    out: dict = {}
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        loaded: list[str] = []
        page.on("requestfinished", lambda r: loaded.append(r.url))
        page.goto(url + "try-it/encoder/", wait_until="networkidle")
        on_page = [site / u[len(url):] for u in loaded if u.startswith(url) and "/javascripts/encoder/" in u]
        loaded.clear()
        page.click(".aig-encoder button")
        page.wait_for_selector(".aig-encoder-results:not([hidden]) .aig-heat", timeout=300_000)
        files = [site / u[len(url):] for u in loaded if u.startswith(url)]
        gz = lambda paths: sum(len(gzip.compress(f.read_bytes())) for f in paths if f.is_file())
        out["first_use_gz_bytes"] = gz(files)
        out["first_use_files"] = len(files)
        out["scripts_gz_bytes"] = gz(on_page)
        for n in ENCODER_SIZES:
            fresh = context.new_page()  # browser cache warm, JIT cold
            fresh.goto(url + "try-it/encoder/", wait_until="networkidle")
            t = fresh.evaluate(ENCODER_FORWARD, {"n": n, "runs": runs})
            out[f"forward_{n}_cold_ms"] = round(t["cold"], 1)
            out[f"forward_{n}_warm_ms"] = round(t["warm"], 1)
            fresh.close()
        browser.close()
    out["target_warm_32_met"] = out["forward_32_warm_ms"] < 300
    return out


def print_encoder(r: dict) -> None:
    print(f"encoder: first use downloads {r['first_use_gz_bytes'] / 1e6:.1f} MB gzipped in "
          f"{r['first_use_files']} files (its scripts, with the page: {r['scripts_gz_bytes'] / 1000:.0f} KB)")
    print(f"{'encoder forward (Chromium)':28} {'cold ms':>8} {'warm ms':>8}")
    for n in ENCODER_SIZES:
        print(f"{f'{n} tokens':28} {r[f'forward_{n}_cold_ms']:8} {r[f'forward_{n}_warm_ms']:8}")
    print(f"  (target: 32 tokens warm < 300 ms: {'met' if r['target_warm_32_met'] else 'NOT met'})")


# -- In the reader's browser -----------------------------------------------------------

BROWSER_PAGES = {"home": "", "ai_basics": "ai-basics/", "lm101": "language-models-101/",
                 "notebook": "notebooks/tokenizers-side-by-side/"}
LIGHTHOUSE = ROOT / ".cache" / "npm" / "node_modules" / ".bin" / "lighthouse"
_COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".ipynb", ".txt", ".map"}


def stock_material(config: Path) -> Path:
    """``config`` with everything of ours taken out of the theme: no custom templates, CSS,
    JavaScript, theme features, palette, polyfills or auto-appended abbreviations. With
    ``variant(figures=False, hooks=False)`` it is the side-by-side baseline: the same pages
    as Material builds them, so a ratio against it measures our additions alone."""
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"\ntheme:\n.*?(?=\n# --)", "\ntheme:\n  name: material\n  font: false\n  language: en\n",
                  text, flags=re.DOTALL)
    text = re.sub(r"\nextra_(?:css|javascript):\n(?:  - .*\n)+", "\n", text)
    text = re.sub(r"  polyfills:\n(?:    - .*\n)+", "", text)
    text = re.sub(r"  - git-revision-date-localized:\n(?:      .*\n)+", "", text)
    text = re.sub(r"      auto_append: .*\n", "", text)
    config.write_text(text, encoding="utf-8")
    return config


class _Host(http.server.SimpleHTTPRequestHandler):
    """A built site served as a static host serves it: text gzipped, assets cached for ten
    minutes (GitHub Pages' max-age), and sitemap.xml naming this server, so Material's
    instant navigation takes over links as it does on the published host. Every body sent
    is logged, so bytes transferred are counted where they leave, worker requests included."""

    protocol_version = "HTTP/1.1"
    sent: list[tuple[str, int]]
    base_url = ""

    def log_message(self, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not path.is_file() or path.suffix not in _COMPRESSED:
            head = super().send_head()
            if path.is_file():
                self.sent.append((self.path, path.stat().st_size))
            return head
        body = _gzipped(str(path), path.stat().st_mtime_ns, self.base_url)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.sent.append((self.path, len(body)))
        return io.BytesIO(body)


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, _mtime: int, base_url: str) -> bytes:
    """A file as a web server sends it (gzip level 6, the common default)."""
    body = Path(path).read_bytes()
    if path.endswith("sitemap.xml"):
        published = re.search(rb"<loc>(.*?)</loc>", body).group(1)
        body = body.replace(published, base_url.encode())
    return gzip.compress(body, 6, mtime=0)


@contextlib.contextmanager
def host(site: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """Serve ``site`` on a free port; yields its address and the log of bodies sent."""
    sent: list[tuple[str, int]] = []
    handler = type("Host", (_Host,), {"sent": sent})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler.base_url, sent
    finally:
        server.shutdown()
        server.server_close()


def _kind(path: str) -> str:
    path = path.split("?")[0]
    if "search_index" in path or "/workers/" in path:
        return "search"
    if "/assets/javascripts/" in path and "bundle." in path or "/assets/stylesheets/main." in path \
            or "/assets/stylesheets/palette." in path:
        return "material"
    if "/assets/" in path:
        return "ours"
    return "page"


def visits(browser, base_url: str, sent: list[tuple[str, int]], first: str, second: str) -> dict:
    """Bytes a reader receives on a cold first visit to ``first``, by kind, then on following
    a link from it to ``second`` (instant navigation when the site has it, else a page load
    with a warm cache)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sent.clear()
    page.goto(base_url + first, wait_until="networkidle")
    page.wait_for_timeout(1500)  # anything started late, such as a search index
    cold: dict[str, int] = {}
    for path, size in sent:
        cold[_kind(path)] = cold.get(_kind(path), 0) + size
    cold_requests = len(sent)
    sent.clear()
    target = second.rstrip("/").split("/")[-1]
    page.evaluate("t => [...document.querySelectorAll('a')].find(a => a.pathname.endsWith('/' + t + '/')).click()", target)
    page.wait_for_url(f"**/{second}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    second_bytes = sum(size for _, size in sent)
    context.close()
    return {"cold_total": sum(cold.values()), "cold_by_kind": dict(sorted(cold.items())),
            "cold_requests": cold_requests, "second_page": second_bytes}


def search_timing(browser, base_url: str, query: str = "attention") -> dict:
    """How long the index takes to load once the reader focuses the box, and how long the
    first query then takes to show results (our marks from search-on-demand.js)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + "ai-basics/", wait_until="networkidle")
    page.focus("[data-md-component=search-query]")
    if not page.evaluate("performance.getEntriesByName('aig-search-requested').length"):
        context.close()
        return {}  # a site without search-on-demand.js: nothing to time it by
    page.wait_for_function("performance.getEntriesByName('aig-search-ready').length > 0", timeout=60_000)
    load_ms = page.evaluate("performance.getEntriesByName('aig-search-ready')[0].startTime"
                            " - performance.getEntriesByName('aig-search-requested')[0].startTime")
    query_ms = page.evaluate("""q => new Promise(done => {
        const input = document.querySelector("[data-md-component=search-query]");
        const list = document.querySelector(".md-search-result__list");
        const start = performance.now();
        new MutationObserver((_, seen) => {
          if (list.children.length) { seen.disconnect(); done(performance.now() - start); }
        }).observe(list, {childList: true});
        input.value = q;
        input.dispatchEvent(new KeyboardEvent("keyup"));
    })""", query)
    context.close()
    return {"index_load_ms": round(load_ms), "first_query_ms": round(query_ms, 1), "query": query}


def lighthouse(url: str, runs: int, chromium: str) -> dict:
    """Lighthouse's mobile preset (simulated slow 4G, 4× slower CPU), median of ``runs``."""
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            out = Path(tmp) / f"lh{i}.json"
            subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
                            "--chrome-flags=--headless=new --no-sandbox",
                            "--only-categories=performance,accessibility,best-practices,seo"],
                           check=True, capture_output=True, env={**os.environ, "CHROME_PATH": chromium})
            reports.append(json.loads(out.read_text(encoding="utf-8")))

    def median(get) -> float:
        return statistics.median(get(r) for r in reports)

    audit = lambda name: lambda r: r["audits"][name]["numericValue"]
    return {
        "performance": round(100 * median(lambda r: r["categories"]["performance"]["score"])),
        "tbt_ms": round(median(audit("total-blocking-time"))),
        "fcp_ms": round(median(audit("first-contentful-paint"))),
        "lcp_ms": round(median(audit("largest-contentful-paint"))),
        "main_thread_ms": round(median(audit("mainthread-work-breakdown"))),
        "cls": round(median(audit("cumulative-layout-shift")), 3),
        **{f"{c.replace('-', '_')}_min": round(100 * min(r["categories"][c]["score"] for r in reports))
           for c in ("accessibility", "best-practices", "seo")},
    }


def main_thread(browser, url: str, runs: int = 3) -> dict:
    """Main-thread time of a page load with the CPU slowed 4× (Lighthouse's mobile factor),
    from Chromium's own counters; median of ``runs``. Cheaper than Lighthouse, for variants."""
    samples = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 412, "height": 823})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        cdp.send("Performance.enable")
        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(1000)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        samples.append(metrics)
        context.close()
    pick = lambda name: round(1000 * statistics.median(s[name] for s in samples))
    return {"task_ms": pick("TaskDuration"), "script_ms": pick("ScriptDuration"),
            "style_layout_ms": round(1000 * statistics.median(s["RecalcStyleDuration"] + s["LayoutDuration"]
                                                               for s in samples))}


FEATURE_VARIANTS = {
    "without content.tooltips": lambda t: t.replace("    - content.tooltips\n", ""),
    "without abbreviations (and glossary links)": lambda t: re.sub(r"      auto_append: .*\n", "", t),
    "with navigation.instant (left out on purpose)":
        lambda t: t.replace("  features:\n", "  features:\n    - navigation.instant\n", 1),
    "without toc.follow": lambda t: t.replace("    - toc.follow\n", ""),
    "without figure scripts": lambda t: re.sub(r"  - assets/javascripts/figures.js\n", "", t),
}


def feature_costs(browser, runs: int) -> dict[str, dict]:
    """Main-thread time on AI basics and Language models 101 with each of our features
    taken out in turn (and instant navigation put back), beside the whole site and stock
    Material (notebooks left out: these pages do not depend on them)."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        full = variant(Path(tmp) / "full", figures=True, hooks=True, notebooks=False)
        configs = {"all our features": full}
        for name, edit in FEATURE_VARIANTS.items():
            config = full.with_name(f"mkdocs-{len(configs)}.yml")
            text = full.read_text(encoding="utf-8")
            if edit(text) == text:  # a variant that edits nothing would report noise as a cost
                raise SystemExit(f"bench: the variant '{name}' no longer changes mkdocs.yml")
            config.write_text(edit(text), encoding="utf-8")
            configs[name] = config
        stock = variant(Path(tmp) / "stock", figures=False, hooks=False, notebooks=False)
        configs["stock Material"] = stock_material(stock)
        for name, config in configs.items():
            site = Path(tmp) / f"site-{len(results)}"
            mkdocs(config, site)
            with host(site) as (base_url, _):
                results[name] = {page: main_thread(browser, base_url + BROWSER_PAGES[page], runs)
                                 for page in ("ai_basics", "lm101")}
    return results


def browser_section(site: Path, runs: int, *, variants: bool) -> dict:
    """Lighthouse, bytes transferred and search, for our site and stock Material side by side."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        stock = stock_material(variant(Path(tmp) / "stock", figures=False, hooks=False, notebooks=True))
        mkdocs(stock, Path(tmp) / "stock-site")
        sites = {"ours": site, "stock": Path(tmp) / "stock-site"}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            for name, folder in sites.items():
                with host(folder) as (base_url, sent):
                    results[name] = {
                        "visits": visits(browser, base_url, sent, BROWSER_PAGES["ai_basics"], BROWSER_PAGES["lm101"]),
                        "lighthouse": {page: lighthouse(base_url + path, runs, chromium)
                                       for page, path in BROWSER_PAGES.items()} if runs else {},
                    }
                    if name == "ours":
                        results[name]["search"] = search_timing(browser, base_url)
            if variants:
                results["feature_costs"] = feature_costs(browser, 3)
            browser.close()
    return results


def print_browser(results: dict) -> None:
    ours, stock = results["ours"], results["stock"]
    for name in ("ours", "stock"):
        v = results[name]["visits"]
        kinds = ", ".join(f"{k} {b / 1000:.0f}" for k, b in v["cold_by_kind"].items())
        print(f"AI basics, cold first visit ({name}): {v['cold_total'] / 1000:.0f} KB gzipped in "
              f"{v['cold_requests']} requests ({kinds}) · then Language models 101: {v['second_page'] / 1000:.0f} KB")
    print(f"  ratio ours/stock, cold visit: {ours['visits']['cold_total'] / stock['visits']['cold_total']:.2f}")
    if ours.get("search"):
        s = ours["search"]
        print(f"search: index loaded {s['index_load_ms']} ms after focus; first query "
              f"'{s['query']}' answered in {s['first_query_ms']} ms (target < 300 ms)")
    if ours["lighthouse"]:
        print(f"{'lighthouse (mobile, median)':32} {'perf':>9} {'TBT ms':>11} {'FCP ms':>11} {'LCP ms':>11} "
              f"{'main ms':>11}  a11y/bp/seo (ours)")
        for page, lh in ours["lighthouse"].items():
            base = stock["lighthouse"][page]
            print(f"{page:32} {lh['performance']:4}/{base['performance']:<4} {lh['tbt_ms']:5}/{base['tbt_ms']:<5} "
                  f"{lh['fcp_ms']:5}/{base['fcp_ms']:<5} {lh['lcp_ms']:5}/{base['lcp_ms']:<5} "
                  f"{lh['main_thread_ms']:5}/{base['main_thread_ms']:<5}  "
                  f"{lh['accessibility_min']}/{lh['best_practices_min']}/{lh['seo_min']}")
        print("  (ours/stock Material)")
    for name, pages in results.get("feature_costs", {}).items():
        cells = " · ".join(f"{page}: {m['task_ms']} ms (script {m['script_ms']}, style+layout "
                           f"{m['style_layout_ms']})" for page, m in pages.items())
        print(f"main thread, 4× slower CPU, {name:42} {cells}")


def build_section(results: dict, runs: int) -> None:
    """Build times, hooks' share, figure costs and `make figures` (printed as they come)."""
    results["build"] = b = build_costs(runs)
    print(f"build (median of {runs}): plain Markdown {b['plain_s']} s · with figures and hooks "
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


# -- MkDocs and Zensical side by side -----------------------------------------------------

ZENSICAL = ROOT / ".venv-zensical" / "bin" / "zensical"


def mkdocs_cold_warm(runs: int) -> dict[str, float]:
    """The full MkDocs build, median of ``runs``: cold (no notebook cache of mkdocs-jupyter's
    or of hooks/notebooks.py's) and warm (both filled by an earlier build). The tokenizer
    and encoder exports (``.cache/tokplay``, ``.cache/encoder``) stay warm in both: they are
    made once per model version, and Zensical does not run the hooks that make them."""
    with tempfile.TemporaryDirectory() as tmp:
        config = variant(Path(tmp) / "full", figures=True, hooks=True, notebooks=True)
        cold = []
        for i in range(runs):
            shutil.rmtree(config.parent / ".cache", ignore_errors=True)
            cold.append(mkdocs(with_cache_dir(config, Path(tmp) / f"cold-{i}"), Path(tmp) / f"c{i}"))
        warm_config = with_cache_dir(config, Path(tmp) / "warm")
        mkdocs(warm_config, Path(tmp) / "prime")
        warm = [mkdocs(warm_config, Path(tmp) / f"w{i}") for i in range(runs)]
    return {"cold_s": round(statistics.median(cold), 2), "warm_s": round(statistics.median(warm), 2)}


def zensical_cold_warm(runs: int) -> dict[str, float]:
    """``make build-zensical`` timed in its two parts, median of ``runs``: staging (config and
    notebook pages, ``aiguide.zensical``), then ``zensical build --strict`` from a clean
    cache (``--clean``, cold) and with the cache an earlier build left (warm)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "zensical"
        stage = timed([sys.executable, "-m", "aiguide.zensical", str(out)], ROOT)
        build = [str(ZENSICAL), "build", "--strict", "-f", "mkdocs.yml"]
        cold = [timed(build + ["--clean"], out) for _ in range(runs)]
        # Each cold build leaves a full cache behind, so the warm builds need no priming.
        warm = [timed(build, out) for _ in range(runs)]
    return {"stage_s": round(stage, 2), "cold_s": round(statistics.median(cold), 2),
            "warm_s": round(statistics.median(warm), 2)}


def generators_section(results: dict, runs: int) -> None:
    """MkDocs and Zensical build times in one run, printed as a table (`make bench`)."""
    if not ZENSICAL.exists():
        print("generators: Zensical is not installed (make .venv-zensical/.zensical); skipped")
        return
    results["generators"] = g = {"runs": runs, "mkdocs": mkdocs_cold_warm(runs),
                                 "zensical": zensical_cold_warm(runs)}
    print(f"{'build (median of ' + str(runs) + ')':34} {'cold s':>8} {'warm s':>8}")
    print(f"{'MkDocs (mkdocs build)':34} {g['mkdocs']['cold_s']:8} {g['mkdocs']['warm_s']:8}")
    print(f"{'Zensical (zensical build)':34} {g['zensical']['cold_s']:8} {g['zensical']['warm_s']:8}"
          f"   (+ {g['zensical']['stage_s']} s staging, once)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="0 skips Lighthouse")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser section")
    parser.add_argument("--variants", action="store_true",
                        help="also time the main thread with each of our features taken out")
    parser.add_argument("--only-browser", action="store_true", help="only the browser section")
    parser.add_argument("--site", type=Path, help="measure this built site instead of building one")
    parser.add_argument("--only-playground", action="store_true", help="only the playground section")
    parser.add_argument("--only-encoder", action="store_true", help="only the encoder section")
    parser.add_argument("--only-generators", action="store_true",
                        help="only MkDocs and Zensical build times, side by side")
    args = parser.parse_args()
    if args.only_playground:
        with tempfile.TemporaryDirectory() as tmp:
            mkdocs(ROOT / "mkdocs.yml", Path(tmp) / "site")
            print_playground(playground(Path(tmp) / "site"))
            print_playground_limit(playground_limit(Path(tmp) / "site"))
        return 0
    if args.only_encoder:
        with tempfile.TemporaryDirectory() as tmp:
            site = args.site or Path(tmp) / "site"
            if not args.site:
                mkdocs(ROOT / "mkdocs.yml", site)
            print_encoder(encoder(site))
        return 0
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if args.only_generators:
        generators_section(results, args.runs)
        return write_results(results, args.out)
    if not args.only_browser:
        build_section(results, args.runs)
        generators_section(results, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / "site"
        if not args.site:
            mkdocs(ROOT / "mkdocs.yml", site)
        results["pages"] = page_weights(site)
        print(f"{'page':48} {'html':>8} {'html gz':>8} {'css+js gz':>10} {'max fig gz':>10}")
        for page, w in results["pages"].items():
            print(f"{page:48} {w['html']:8} {w['html_gz']:8} {w['assets_gz']:10} {w['largest_figure_gz']:10}")
        if not args.no_browser:
            results["playground"] = playground(site)
            print_playground(results["playground"])
            results["playground_limit"] = playground_limit(site)
            print_playground_limit(results["playground_limit"])
            results["encoder"] = encoder(site)
            print_encoder(results["encoder"])
            results["browser"] = browser_section(site, args.lighthouse_runs, variants=args.variants)
            print_browser(results["browser"])
    if not args.only_browser:
        results["scaling_ms_per_page"] = scaling([int(s) for s in args.sizes.split(",")])
        for size, ms in results["scaling_ms_per_page"].items():
            print(f"scaling: {size:5} pages  {ms:7.1f} ms/page")
        sizes = sorted(results["scaling_ms_per_page"])
        if len(sizes) > 1:
            growth = results["scaling_ms_per_page"][sizes[-1]] / results["scaling_ms_per_page"][sizes[0]]
            results["scaling_growth"] = round(growth, 2)
            print(f"scaling: ms/page at {sizes[-1]} pages is {growth:.2f}× that at {sizes[0]} (target ≤ 1.5×)")
    return write_results(results, args.out)


def write_results(results: dict, out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
