/* The encoder page (docs/try-it/encoder.md): the reader's sentences through all-MiniLM-L6-v2,
 * drawn as the site's attention and similarity figures (aiguide/render/attention.py and
 * similarity.py: same elements, same classes, same hover and focus tips).
 *
 * Nothing is downloaded until the reader presses the button. Everything the reader typed
 * reaches the page through textContent, never as markup. */
(function (root) {
  "use strict";

  // The sentences of the similarity figure below the widget, after the attention example.
  const EXAMPLE = ["The animal didn't cross the street because it was too tired.",
    "The bank approved my loan.", "The lender accepted my mortgage application.",
    "We sat on the river bank.", "We had a picnic by the water.",
    "The doctor prescribed antibiotics.", "She got medicine for her infection."].join("\n");

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  // Number formats of aiguide.render.html.
  const fixed = (v, digits) => {
    const text = v.toFixed(digits);
    return Number(text) === 0 ? text.replace("-", "") : text.replace("-", "\u2212");
  };
  const pct = (p) => (p <= 0 ? "0%" : p * 100 < 0.1 ? "<0.1%" : `${fixed(p * 100, 1)}%`);
  const megabytes = (n) => `${(n / 1e6).toFixed(1)} MB`;
  const seqLevel = (w) => Math.round(Math.sqrt(Math.min(Math.max(w, 0), 1)) * 9);
  const divClass = (v) => {
    const level = Math.round(Math.min(Math.max(v, -1), 1) * 5);
    return level === 0 ? "" : level > 0 ? `aig-p${level}` : `aig-n${-level}`;
  };
  const isSpecial = (t) => /^\[[A-Z]+\]$/.test(t);
  const quoted = (t) => `\u201c${t}\u201d`;

  /* A token as the figures show it: "##" muted, special tokens in their own style. */
  function tokenLabel(token) {
    const span = el("span", isSpecial(token) ? { class: "aig-special" } : {});
    if (token.length > 2 && token.startsWith("##") && !token.startsWith("###")) {
      span.append(el("span", { class: "aig-ws", text: "##" }), token.slice(2));
    } else {
      span.textContent = token;
    }
    return span;
  }

  function legend(classes, low, high, note) {
    const ramp = el("span", { class: "aig-ramp", "aria-hidden": "true" },
      ...classes.map((c) => el("span", { class: `aig-swatch ${c}` })));
    return el("p", { class: "aig-legend" }, el("span", { text: low }), ramp, el("span", { text: high }),
      " ", el("span", { class: "aig-note", text: note }));
  }

  function scroll(content, label) {
    return el("div", { class: "aig-scroll", tabindex: "0", role: "group", "aria-label": label }, content);
  }

  function figure(kind, summary, body, caption, credit) {
    return el("figure", { class: `aig-figure aig-${kind}` }, el("p", { class: "aig-sr", text: summary }),
      ...body, el("figcaption", {}, el("span", { class: "aig-caption", text: caption }), " ",
        el("span", { class: "aig-credit", text: credit })));
  }

  const SEQ = Array.from({ length: 9 }, (_, k) => `aig-q${k + 1}`);
  const DIVERGING = [5, 4, 3, 2, 1].map((k) => `aig-n${k}`).concat([""], [1, 2, 3, 4, 5].map((k) => `aig-p${k}`));

  /* One head's weights [n, n] as the attention figure's heatmap. */
  function attentionFigure(tokens, weights, layer, head, cfg) {
    const n = tokens.length;
    const at = (q, k) => weights[q * n + k];
    const top = (q) => [...Array(n).keys()].sort((a, b) => at(q, b) - at(q, a) || a - b).slice(0, 3);
    const thead = el("thead", {}, el("tr", {}, el("td"),
      ...tokens.map((t) => el("th", { scope: "col" }, tokenLabel(t)))));
    const rows = tokens.map((t, q) => el("tr", { class: "aig-hover", tabindex: "0" },
      el("th", { scope: "row" }, tokenLabel(t), el("span", { class: "aig-tip",
        text: `looks most at ${top(q).map((k) => `${quoted(tokens[k])} ${pct(at(q, k))}`).join(", ")}` })),
      ...tokens.map((_, k) => {
        const level = seqLevel(at(q, k));
        return el("td", level ? { class: `aig-q${level}` } : {});
      })));
    let best = null;
    for (let q = 0; q < n; q++) for (let k = 0; k < n; k++) {
      if (q !== k && (!best || at(q, k) > at(best[0], best[1]))) best = [q, k];
    }
    const strongest = best ? ` The strongest link is from ${quoted(tokens[best[0]])} to ${quoted(tokens[best[1]])} (${pct(at(best[0], best[1]))}).` : "";
    const place = `layer ${layer + 1}, head ${head + 1}`;
    const where = `${place} (of ${cfg.n_layer} layers \u00d7 ${cfg.n_head} heads)`;
    return figure("attention",
      `Heatmap of the attention weights of all-MiniLM-L6-v2, ${where}, over ${n} tokens.${strongest}`,
      [el("p", { class: "aig-sub", text: "Each row is a token asking (the query); each column is a token it can look at (the key). Hover or focus a row to see where it looks most." }),
        legend(SEQ, "0%", "100%", "of a row\u2019s attention (square-root shading, so small weights stay visible)"),
        scroll(el("table", { class: "aig-heat" }, thead, el("tbody", {}, ...rows)), `Attention heatmap, ${n} \u00d7 ${n}`)],
      `Attention weights of one head, computed in this browser: ${place}.`,
      `Model: all-MiniLM-L6-v2 \u00b7 ${where}`);
  }

  /* Cosine similarities as the similarity figure's matrix. */
  function similarityFigure(items, matrix) {
    const head = el("thead", {}, el("tr", {}, el("td"),
      ...items.map((item, i) => el("th", { scope: "col" }, el("abbr", { title: item, text: String(i + 1) })))));
    const closest = (i) => {
      let j = -1;
      items.forEach((_, k) => { if (k !== i && (j < 0 || matrix[i][k] > matrix[i][j])) j = k; });
      return `closest: item ${j + 1} (${fixed(matrix[i][j], 2)})`;
    };
    const rows = items.map((item, i) => el("tr", { class: "aig-hover", tabindex: "0" },
      el("th", { scope: "row" }, el("span", { class: "aig-idx", text: String(i + 1) }), " ", item,
        el("span", { class: "aig-tip", text: closest(i) })),
      ...matrix[i].map((v) => el("td", divClass(v) ? { class: divClass(v), text: fixed(v, 2) } : { text: fixed(v, 2) }))));
    let most = null;
    let least = null;
    for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
      if (!most || matrix[i][j] > matrix[most[0]][most[1]]) most = [i, j];
      if (!least || matrix[i][j] < matrix[least[0]][least[1]]) least = [i, j];
    }
    const say = ([i, j]) => `\u201c${items[i]}\u201d and \u201c${items[j]}\u201d (${fixed(matrix[i][j], 2)})`;
    return figure("similarity",
      `A ${items.length} by ${items.length} table of cosine similarities between the embeddings of ${items.length} texts. Most similar: ${say(most)}. Least similar: ${say(least)}.`,
      [legend(DIVERGING, "\u22121", "1", "Cosine similarity is between \u22121 (opposite directions) and 1 (same direction); the diagonal is 1, each item compared with itself."),
        scroll(el("table", { class: "aig-sim" }, el("caption", { class: "aig-sr", text: "Cosine similarity; rows and numbered columns are the same items." }), head,
          el("tbody", {}, ...rows)), `Similarity matrix of ${items.length} items`)],
      "How similar the meanings are: cosine similarity of embeddings, computed in this browser.",
      "Model: all-MiniLM-L6-v2 (mean of the last hidden states, unit length)");
  }

  function select(label, id, count, name) {
    const control = el("select", { id });
    for (let i = 0; i < count; i++) control.append(el("option", { value: String(i), text: name(i) }));
    return [el("label", { for: id, text: label }), control];
  }

  /* The lines to encode: blank lines skipped, at most the limit. */
  function sentencesOf(text, limit) {
    const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== "");
    return { lines: lines.slice(0, limit), dropped: Math.max(0, lines.length - limit) };
  }

  function mount(container) {
    if (container.dataset.aigReady) return;
    container.dataset.aigReady = "true";
    const manifest = JSON.parse(container.dataset.aigEncoder);
    const base = new URL(container.dataset.assets, location.href);
    const { tokens: tokenLimit, sentences: sentenceLimit } = manifest.limits;
    const cfg = manifest.config;

    const textarea = el("textarea", { id: "aig-encoder-text", rows: "7", spellcheck: "false" });
    const given = new URLSearchParams(location.search).get("text");
    textarea.value = given !== null ? given : EXAMPLE;
    const button = el("button", { type: "submit", class: "md-button md-button--primary",
      text: `Load the model (${megabytes(manifest.total_size)})` });
    const status = el("p", { class: "aig-status", role: "status" });
    const progress = el("progress", { max: String(manifest.total_size), value: "0", hidden: "",
      "aria-label": "Model download" });
    const notes = el("ul", { class: "aig-encoder-notes" });
    const form = el("form", { class: "aig-encoder-form" },
      el("label", { for: textarea.id, text: `Your sentences, one per line (up to ${sentenceLimit}, ${tokenLimit} tokens each)` }),
      textarea, el("p", {}, button), progress, status, notes);

    const [sentenceLabel, sentencePick] = select("Sentence", "aig-encoder-sentence", 1, (i) => String(i + 1));
    const [layerLabel, layerPick] = select("Layer", "aig-encoder-layer", cfg.n_layer, (i) => String(i + 1));
    const [headLabel, headPick] = select("Head", "aig-encoder-head", cfg.n_head, (i) => String(i + 1));
    const pickers = el("p", { class: "aig-encoder-pickers" }, sentenceLabel, sentencePick, layerLabel, layerPick, headLabel, headPick);
    const attentionSlot = el("div");
    const similaritySlot = el("div");
    const results = el("div", { class: "aig-encoder-results", hidden: "" },
      el("h3", { text: "Attention" }), pickers, attentionSlot, el("h3", { text: "Similarity" }), similaritySlot);
    container.replaceChildren(form, results);

    let runner = null;
    let shown = null;

    function drawAttention() {
      if (!shown) return;
      const s = Number(sentencePick.value);
      const layer = Number(layerPick.value);
      const head = Number(headPick.value);
      const n = shown.sentences[s].ids.length;
      const start = (layer * cfg.n_head + head) * n * n;
      attentionSlot.replaceChildren(attentionFigure(shown.sentences[s].tokens,
        shown.attentions[s].subarray(start, start + n * n), layer, head, cfg));
    }

    function draw(result, dropped) {
      shown = result;
      const lines = [];
      if (dropped) lines.push(`Only the first ${sentenceLimit} lines are encoded; ${dropped} more ${dropped === 1 ? "was" : "were"} left out.`);
      result.sentences.forEach((s, i) => {
        if (s.count > tokenLimit) lines.push(`Sentence ${i + 1} has ${s.count} tokens; the model reads the first ${tokenLimit} ([CLS], ${tokenLimit - 2} word pieces and [SEP]), so the rest is left out.`);
      });
      notes.replaceChildren(...lines.map((line) => el("li", { text: line })));
      const keep = Math.min(Number(sentencePick.value) || 0, result.sentences.length - 1);
      sentencePick.replaceChildren(...result.sentences.map((s, i) =>
        el("option", { value: String(i), text: `${i + 1}: ${s.text.length > 40 ? s.text.slice(0, 40) + "\u2026" : s.text}` })));
      sentencePick.value = String(keep);
      drawAttention();
      similaritySlot.replaceChildren(result.sentences.length > 1
        ? similarityFigure(result.sentences.map((s) => s.text), result.similarity)
        : el("p", { text: "Write a second line to compare sentences." }));
      results.hidden = false;
    }

    async function encode() {
      const { lines, dropped } = sentencesOf(textarea.value, sentenceLimit);
      if (!lines.length) {
        status.textContent = "Write at least one sentence.";
        return;
      }
      status.textContent = `Encoding ${lines.length} sentence${lines.length === 1 ? "" : "s"}\u2026`;
      button.disabled = true;
      const started = performance.now();
      try {
        draw(await runner.run(lines), dropped);
        const ms = Math.round(performance.now() - started);
        status.textContent = `Encoded ${lines.length} sentence${lines.length === 1 ? "" : "s"} in ${ms} ms (${runner.mode === "worker" ? "in a worker" : "on this page, in steps"}).`;
      } catch (error) {
        status.textContent = `The encoder failed: ${error.message}`;
      } finally {
        button.disabled = false;
      }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (runner) return encode();
      button.disabled = true;
      progress.hidden = false;
      try {
        runner = await aigEncoder.load(manifest, base, (loaded, total) => {
          progress.value = loaded;
          status.textContent = `Loading the model: ${megabytes(loaded)} of ${megabytes(total)}`;
        });
      } catch (error) {
        status.textContent = `The model could not be loaded: ${error.message}. Reload the page to try again; the offline copy needs its assets/encoder folder next to the pages.`;
        button.disabled = false;
        return;
      } finally {
        progress.hidden = true;
      }
      button.textContent = "Encode";
      button.disabled = false;
      root.aigEncoderPage = { runner, encode }; // for the browser tests and the benchmark
      await encode();
    });
    for (const pick of [sentencePick, layerPick, headPick]) pick.addEventListener("change", drawAttention);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
  }

  document.querySelectorAll("[data-aig-encoder]").forEach(mount);
})(self);
