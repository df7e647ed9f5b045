/* Tokenizer playground, the view: chips like the static tokens figure (aiguide/render/tokens.py
 * and html.token_html), drawn with textContent only, so whatever the reader types stays text.
 * Each tokenizer runs in its own task after a short pause in typing, and the chips are
 * drawn BATCH at a time, each batch its own task, so the page keeps answering (a
 * 5,000-character paste is about 1,300 chips a row); input past LIMIT characters is cut,
 * with a message. */
(function () {
  "use strict";
  if (window.aigTokUI) return;
  const LIMIT = 5000;
  const BATCH = 200; // chips drawn per task: a 5,000-character paste is about 1,300 a row
  const TINTS = 6;
  const MARKS = { "\n": "↵", "\t": "→", "\r": "␍" };
  const PIECES = /( +|\n|\t|\r|(?:<0x[0-9A-Fa-f]{2}>)+)/;
  const BYTES = /^(?:<0x[0-9A-Fa-f]{2}>)+$/;
  const SPECIAL = /^(?:\[[A-Z]+\]|<\|[^|<>]*\|>|<\/?s>|<unk>|<pad>)$/;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const mark = (parent, symbol) => parent.append(el("span", "aig-ws", symbol));

  function tokenNodes(parent, text) {
    if (!text) return mark(parent, "∅");
    if (text.length > 2 && text.startsWith("##") && !text.startsWith("###")) {
      mark(parent, "##");
      text = text.slice(2);
    }
    text.split(PIECES).forEach((part, i) => {
      if (!(i % 2)) {
        if (part) parent.append(document.createTextNode(part));
      } else if (MARKS[part]) mark(parent, MARKS[part]);
      else if (part.startsWith(" ")) mark(parent, "·".repeat(part.length));
      else parent.append(el("span", "aig-byte", part));
    });
  }

  function about(token, outside) {
    if (token.start === null) return `id ${token.id}`;
    const { start, end } = token;
    let where;
    if (outside) where = "special token, not part of the text";
    else if (end <= start) where = "one byte of a character";
    else if (end - start === 1) where = `character ${start + 1}`;
    else where = `characters ${start + 1}–${end}`;
    return `id ${token.id} · ${where}`;
  }

  /* Chips for tokens[from, to), added to the list (the list is emptied first at from = 0). */
  function chips(list, tokens, from, to) {
    const frag = document.createDocumentFragment();
    for (let i = from; i < to; i++) {
      const token = tokens[i];
      const outside = token.start !== null && token.start === token.end && !BYTES.test(token.text);
      const special = outside || SPECIAL.test(token.text);
      const li = el("li", `aig-hover aig-chip ${special ? "aig-special" : `aig-c${i % TINTS}`}`);
      li.tabIndex = 0;
      tokenNodes(li, token.text);
      li.append(el("span", "aig-tip", about(token, outside)));
      frag.append(li);
      if (token.text.endsWith("\n")) {
        const br = el("li", "aig-break");
        br.setAttribute("aria-hidden", "true");
        frag.append(br);
      }
    }
    if (from === 0) list.replaceChildren(frag);
    else list.append(frag);
  }

  function makeRow(name) {
    const row = el("div", "aig-tokrow");
    row.dataset.tokenizer = name;
    const label = el("p", "aig-toklabel");
    label.append(el("strong", "", window.aigTok.LABELS[name]), " ");
    const stat = el("span", "aig-stat", "…");
    label.append(stat);
    const list = el("ol", "aig-chips");
    row.append(label, list);
    return { name, row, stat, list };
  }

  /* Hand control back to the browser (typing, painting) before the next step. */
  function pause() {
    if (window.scheduler && scheduler.yield) return scheduler.yield();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  /* A row's count and chips, BATCH chips per task; stops early (false) once current()
   * says newer text has arrived. The ids go on the row last, when every chip is there. */
  async function showRow(r, text, tokens, current) {
    const count = tokens.length;
    const length = Array.from(text).length;
    r.stat.textContent = `${count} tokens · ${(Math.round((length / Math.max(count, 1)) * 100) / 100).toFixed(2)} characters per token`;
    r.list.setAttribute("aria-label", `${window.aigTok.LABELS[r.name]}: ${count} tokens`);
    r.list.setAttribute("aria-busy", "true");
    delete r.row.dataset.ids;
    for (let from = 0; from < count || from === 0; from += BATCH) {
      chips(r.list, tokens, from, Math.min(from + BATCH, count));
      await pause();
      if (!current()) return false;
    }
    r.list.removeAttribute("aria-busy");
    r.row.dataset.ids = tokens.map((t) => t.id).join(" ");
    return true;
  }

  function cut(text) {
    const chars = Array.from(text);
    return chars.length > LIMIT
      ? { text: chars.slice(0, LIMIT).join(""), note: `Only the first ${LIMIT.toLocaleString("en")} characters are tokenized; the text has ${chars.length.toLocaleString("en")}.` }
      : { text, note: "" };
  }

  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

  /* The shared loop: load what the rows need, then re-tokenize after each pause in typing.
   * chatFor(name) says whether that row gets the chat template and special tokens. */
  function live({ input, rows, status, note, chatFor, onText, s }) {
    let generation = 0;
    let timer = null;
    const names = rows.map((r) => r.name).concat(chatFor("smollm2") ? ["smollm2"] : []);
    const ready = window.aigTok.loadData({ tokenizers: s.files }, s.data, [...new Set(names)],
      (loaded, total) => { status.textContent = `Loading tokenizers: ${mb(loaded)} of ${mb(total)}`; });
    status.textContent = "Loading tokenizers…";
    function run() {
      const mine = ++generation;
      const { text, note: message } = cut(input.value);
      note.textContent = message;
      if (onText) onText(text);
      ready.then(async () => {
        const current = () => mine === generation; // newer typing wins
        for (const r of rows) {
          if (!current()) return;
          const chat = chatFor(r.name);
          const shown = chat ? window.aigTok.chat(text) : text;
          const tokens = window.aigTok.tokenize(r.name, shown, chat);
          if (!(await showRow(r, shown, tokens, current))) return;
        }
        status.textContent = "";
      }, (error) => {
        status.textContent = `The tokenizers could not be loaded (${error.message}). ` +
          "Reload the page to try again; opened from disk, keep the offline copy's folder whole.";
        status.classList.add("aig-tokplay-error");
      });
    }
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    });
    return run;
  }

  window.aigTokUI = {
    LIMIT,
    playground(form, s) {
      const input = form.querySelector("textarea");
      const chatBox = form.querySelector("input[type=checkbox]");
      const status = form.querySelector("[data-aig=status]");
      const note = form.querySelector("[data-aig=note]");
      const share = form.querySelector("[data-aig=share]");
      const encoder = form.querySelector("[data-aig=encoder]");
      const out = form.querySelector("[data-aig=rows]");
      const params = new URLSearchParams(location.search);
      if (params.has("text")) input.value = params.get("text");
      if (params.get("chat") === "1") chatBox.checked = true;
      const rows = ["cl100k_base", "minilm", "smollm2"].map(makeRow);
      out.replaceChildren(...rows.map((r) => r.row));
      const run = live({
        input, rows, status, note, s,
        chatFor: (name) => name === "smollm2" && chatBox.checked,
        onText: (text) => {
          const q = `?text=${encodeURIComponent(text)}`;
          share.href = q + (chatBox.checked ? "&chat=1" : "");
          if (encoder && s.encoder) {
            encoder.href = s.encoder + q;
            encoder.hidden = false;
          }
        },
      });
      chatBox.addEventListener("change", run);
      form.addEventListener("submit", (e) => e.preventDefault());
      run();
    },
    figure(fig, spec, s, button) {
      const form = el("form", "aig-tokplay aig-tokplay-figure");
      const id = `${fig.id}-own`;
      const label = el("label", "", "Your own text");
      label.htmlFor = id;
      const input = el("textarea");
      input.id = id;
      input.rows = 3;
      input.value = spec.text;
      const status = el("p", "aig-tokplay-status");
      status.setAttribute("role", "status");
      const note = el("p", "aig-tokplay-note");
      note.setAttribute("aria-live", "polite");
      form.append(label, input, status, note);
      form.addEventListener("submit", (e) => e.preventDefault());
      const statics = [...fig.querySelectorAll(":scope > .aig-tokrow")];
      const rows = spec.tokenizers.map(makeRow);
      statics.forEach((row) => { row.hidden = true; });
      const first = fig.querySelector(":scope > .aig-tokrow");
      fig.insertBefore(form, first);
      rows.forEach((r) => fig.insertBefore(r.row, first));
      button.hidden = true;
      live({ input, rows, status, note, s, chatFor: () => spec.chat }) ();
      input.focus();
    },
  };
})();
