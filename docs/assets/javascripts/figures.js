/* Figures (aiguide.render): Escape dismisses the tip shown on hover or focus, as WCAG
 * 1.4.13 asks; moving the pointer or focus away brings tips back. Apart from the decoding
 * explorer's sliders (below), everything else in the figures is CSS. Listeners sit on
 * document, so they would keep working if Material's instant navigation (off: see
 * mkdocs.yml) swapped the page. */
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const row of document.querySelectorAll(".aig-hover:hover, .aig-hover:focus-within")) {
    row.classList.add("aig-tips-off");
  }
});

function restoreTips(event) {
  const row = event.target instanceof Element && event.target.closest(".aig-tips-off");
  if (row && !row.contains(event.relatedTarget)) row.classList.remove("aig-tips-off");
}
document.addEventListener("focusout", restoreTips);
document.addEventListener("pointerout", restoreTips);

/* Decoding explorer (aiguide/render/decoding.py). The server draws the figure at the
 * spec's settings and leaves the sliders hidden; here they are shown and redraw the same
 * bars and summary from the JSON in the controls' data-explorer attribute (inline,
 * because fetch() cannot read local files from file://; an attribute, because instant
 * navigation re-runs inline scripts). aigExplore is decoding.explore() line by line:
 * keep the two in step. The order is temperature, then top-k, then top-p. */
function aigExplore(groups, bars, temperature, topK, topP) {
  const top = groups[0][0];
  const weighted = groups.map(([logit, count]) => [Math.exp((logit - top) / temperature), count]);
  let total = 0;
  for (const [w, n] of weighted) total += w * n;
  let kept = [];
  let left = topK || Infinity;
  for (const [w, n] of weighted) {
    if (left <= 0) break;
    kept.push([w, Math.min(n, left)]);
    left -= kept[kept.length - 1][1];
  }
  if (topP < 1) kept = aigNucleus(kept, topP);
  let z = 0;
  let count = 0;
  for (const [w, n] of kept) {
    z += w * n;
    count += n;
  }
  let entropy = 0;
  for (const [w, n] of kept) {
    const r = w / z;
    if (r > 0) entropy -= n * r * Math.log2(r);
  }
  const probs = [];
  for (const [w, n] of kept) {
    for (let j = 0; j < n && probs.length < bars; j++) probs.push(w / z);
  }
  while (probs.length < bars) probs.push(0);
  return { kept: count, mass: z / total, entropy, probs };
}

/* The smallest top set whose rescaled mass reaches topP, taking part of a group. */
function aigNucleus(kept, topP) {
  let z = 0;
  for (const [w, n] of kept) z += w * n;
  const out = [];
  let mass = 0;
  for (const [w, n] of kept) {
    const q = w / z;
    const take = q === 0 ? n : Math.min(n, Math.max(1, Math.ceil((topP - mass) / q)));
    out.push([w, take]);
    mass += q * take;
    if (mass >= topP) break;
  }
  return out;
}

/* Number formats of aiguide.render.html (fixed, pct) and of Python's "{:,}". */
function aigFixed(value, digits) {
  return Math.max(value, 0).toFixed(digits);
}
function aigPct(p) {
  if (p <= 0) return "0%";
  return p * 100 < 0.1 ? "<0.1%" : `${aigFixed(p * 100, 1)}%`;
}
function aigCount(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
/* A slider's value on its step grid: 0.7, never 0.7000000000000001, so that String()
 * spells it as Python's "{:g}" does. */
function aigSnap(input) {
  const step = parseFloat(input.step);
  return Number((Math.round(parseFloat(input.value) / step) * step).toFixed(6));
}

function aigStartExplorer(figure) {
  const controls = figure.querySelector(".aig-controls[data-explorer]");
  if (!controls || figure.dataset.aigReady) return;
  const data = JSON.parse(controls.dataset.explorer);
  const groups = data.logits.map((logit) => [logit, 1])
    .concat(data.tail_logits.map((logit, i) => [logit, data.tail_counts[i]]));
  const part = (name) => figure.querySelector(`[data-aig="${name}"]`);
  const [temperature, topK, topP] = [part("temperature"), part("top-k"), part("top-p")];
  const stops = topK.dataset.stops.split(" ").map(Number);
  const rows = figure.querySelectorAll('[data-aig="bars"] > li.aig-hover');
  const cut = part("cut");

  function update() {
    const [t, k, p] = [aigSnap(temperature), stops[Number(topK.value)], aigSnap(topP)];
    const shown = aigExplore(groups, data.bars, t, k, p);
    const kText = k ? aigCount(k) : "all";
    part("temperature-out").value = String(t);
    part("top-k-out").value = kText;
    part("top-p-out").value = String(p);
    topK.setAttribute("aria-valuetext", kText);
    part("settings").textContent = `Temperature ${t}, top-k ${kText}, top-p ${p}`;
    part("kept").textContent = aigCount(shown.kept);
    part("mass").textContent = aigPct(shown.mass);
    part("entropy").textContent = aigFixed(shown.entropy, 2);
    rows.forEach((row, i) => {
      const prob = shown.probs[i];
      row.querySelector(".aig-bar > span").style.width = `${aigFixed(Math.min(prob, 1) * 100, 1)}%`;
      row.querySelector(".aig-num").textContent = aigPct(prob);
      row.classList.toggle("aig-out", i >= shown.kept);
    });
    cut.hidden = shown.kept >= rows.length;
    if (!cut.hidden) {
      cut.textContent = `the sampler keeps the ${shown.kept} above`;
      rows[shown.kept - 1].after(cut);
    }
  }

  for (const input of [temperature, topK, topP]) input.addEventListener("input", update);
  controls.hidden = false;
  figure.dataset.aigReady = "true";
  update();
}

/* On load, and again each time Material's instant navigation swaps the page in (its
 * document$ stream). Both, because from file:// document$ completes without emitting;
 * a figure that has started is marked, so it never starts twice. */
function aigStartExplorers() {
  document.querySelectorAll("figure.aig-decoding-explorer").forEach(aigStartExplorer);
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", aigStartExplorers);
} else {
  aigStartExplorers();
}
if (typeof document$ !== "undefined") document$.subscribe(aigStartExplorers);
