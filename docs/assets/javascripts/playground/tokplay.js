/* Tokenizer playground engine: the three tokenizers of aiguide/models/tokenizers.py in the
 * reader's browser, giving the same token records {id, text, start, end}.
 * cl100k_base runs on js-tiktoken, MiniLM and SmolLM2 on tokenizers.js (both vendored,
 * see vendor/*.LICENSE); the data comes from the site's own files (aiguide/web/tokenizers.py),
 * loaded as <script> files because fetch() is refused from file://. Keep the rules here in
 * step with the Python module: the browser tests compare the two on hundreds of texts. */
(function () {
  "use strict";
  if (window.aigTok) return;

  const payloads = {};
  const arrived = {};
  window.aigTokData = function (name, payload) {
    payloads[name] = payload;
    if (arrived[name]) arrived[name]();
  };

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    });
  }

  /* Each data file once; progress(loaded, total) in bytes after each file. */
  const loading = {};
  function loadData(manifest, base, names, progress) {
    const entries = names.map((n) => [n, manifest.tokenizers[n]]);
    const total = entries.reduce((s, [, e]) => s + e.size, 0);
    let loaded = 0;
    return Promise.all(entries.map(([name, entry]) => {
      if (!loading[name]) {
        loading[name] = new Promise((resolve, reject) => {
          arrived[name] = resolve;
          loadScript(base + entry.file).catch((e) => { delete loading[name]; reject(e); });
        });
      }
      return loading[name].then(() => {
        loaded += entry.size;
        if (progress) progress(loaded, total);
      });
    }));
  }

  /* -- Bytes to display text and character spans (aiguide.models.tokenizers) -- */

  const utf8 = new TextDecoder("utf-8", { ignoreBOM: true }); // keep U+FEFF as a character
  const hex = (b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;

  /* Python's bytes.decode("utf-8", "surrogateescape"): whole characters as text, every
   * other byte as <0xF0>. The pieces come from valid UTF-8, so only cut sequences occur. */
  function displayBytes(bytes) {
    let out = "";
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i];
      const n = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf5 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
      let ok = n > 0 && i + n <= bytes.length;
      for (let k = 1; ok && k < n; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
      if (ok) {
        out += utf8.decode(bytes.subarray(i, i + n));
        i += n;
      } else {
        out += hex(b);
        i += 1;
      }
    }
    return out;
  }

  const encoder = new TextEncoder();

  function byteTokens(text, ids, pieces) {
    const charOfByte = [];
    let c = 0;
    for (const ch of text) {
      const n = encoder.encode(ch).length;
      for (let k = 0; k < n; k++) charOfByte.push(c);
      c += 1;
    }
    const tokens = [];
    let pos = 0;
    ids.forEach((id, i) => {
      const end = pos + pieces[i].length;
      tokens.push({ id, text: displayBytes(pieces[i]), start: charOfByte[pos], end: charOfByte[end - 1] + 1 });
      pos = end;
    });
    if (pos !== charOfByte.length) throw new Error("token bytes do not reproduce the text");
    return tokens;
  }

  /* -- The tokenizers -- */

  /* A min-heap of [rank, start] pairs: lowest rank first, then leftmost. */
  function heap() {
    const items = [];
    const less = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    return {
      get size() { return items.length; },
      push(item) {
        let i = items.push(item) - 1;
        while (i > 0) {
          const up = (i - 1) >> 1;
          if (!less(items[i], items[up])) break;
          [items[i], items[up]] = [items[up], items[i]];
          i = up;
        }
      },
      pop() {
        const top = items[0];
        const last = items.pop();
        if (items.length) {
          items[0] = last;
          for (let i = 0; ;) {
            const l = 2 * i + 1, r = l + 1;
            let m = i;
            if (l < items.length && less(items[l], items[m])) m = l;
            if (r < items.length && less(items[r], items[m])) m = r;
            if (m === i) break;
            [items[i], items[m]] = [items[m], items[i]];
            i = m;
          }
        }
        return top;
      },
    };
  }

  /* Byte-pair merging of one piece (bytes) as tiktoken does it: always the adjacent pair
   * of lowest rank, the leftmost among equals, until no pair has a rank. js-tiktoken
   * rescans every pair after each merge (quadratic: 5,000 CJK characters, one 15,000-byte
   * piece, took 39 s); a heap with stale entries skipped does the same merges in
   * O(n log n). Returns the token ids of the parts. */
  function mergePiece(bytes, ranks) {
    const n = bytes.length;
    const key = (from, to) => bytes.subarray(from, to).join(",");
    const next = Int32Array.from({ length: n }, (_, i) => i + 1); // part starting at i ends at next[i]
    const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
    const version = new Int32Array(n); // bumped when a part changes: older heap entries are stale
    const queue = heap();
    const offer = (i) => {
      if (i < 0 || next[i] >= n) return;
      const rank = ranks.get(key(i, next[next[i]]));
      if (rank !== undefined) queue.push([rank, i, version[i]]);
    };
    for (let i = 0; i < n - 1; i++) offer(i);
    while (queue.size) {
      const [, i, v] = queue.pop();
      if (v !== version[i] || next[i] >= n) continue; // stale: i changed or was absorbed
      const j = next[i]; // merge part j into part i
      next[i] = next[j];
      if (next[j] < n) prev[next[j]] = i;
      version[i]++;
      version[j] = -1; // j is gone: its entries never match again
      offer(i);
      if (prev[i] >= 0) { version[prev[i]]++; offer(prev[i]); }
    }
    const ids = [];
    for (let i = 0; i < n; i = next[i]) {
      const id = ranks.get(key(i, next[i]));
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  function makeCl100k(payload) {
    const enc = new window.aigJsTiktoken.Tiktoken(payload);
    const pattern = new RegExp(enc.patStr, "ug");
    const specials = new RegExp(`(${Object.keys(enc.specialTokens).map(escapeRegex).join("|")})`);
    /* js-tiktoken's encode(text, "all") or encode(text, [], []), with mergePiece. */
    const encode = (text, special) => {
      const ids = [];
      for (const segment of special ? text.split(specials) : [text]) {
        if (special && Object.prototype.hasOwnProperty.call(enc.specialTokens, segment)) {
          ids.push(enc.specialTokens[segment]);
          continue;
        }
        for (const match of segment.matchAll(pattern)) {
          const bytes = encoder.encode(match[0]);
          const whole = enc.rankMap.get(bytes.join(","));
          if (whole !== undefined) ids.push(whole);
          else ids.push(...mergePiece(bytes, enc.rankMap));
        }
      }
      return ids;
    };
    return (text, special) => {
      const ids = encode(text, special);
      return byteTokens(text, ids, ids.map((id) => enc.textMap.get(id) || enc.inverseSpecialTokens[id]));
    };
  }

  function makeMinilm(payload) {
    const tok = new window.aigHFTokenizers.Tokenizer(payload, {});
    /* tokenizers.js gives no offsets: MiniLM's chips carry ids and pieces, not spans. */
    return (text, special) => {
      const enc = tok.encode(text, { add_special_tokens: special });
      return enc.ids.map((id, i) => ({ id, text: enc.tokens[i], start: null, end: null }));
    };
  }

  /* GPT-2's byte-level alphabet, printable character -> byte (Ġ is a space). */
  function unicodeToByte() {
    const bytes = [];
    for (let b = 33; b <= 126; b++) bytes.push(b);
    for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
    for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
    const map = new Map(bytes.map((b) => [String.fromCodePoint(b), b]));
    let n = 0;
    for (let b = 0; b < 256; b++) {
      if (!bytes.includes(b)) map.set(String.fromCodePoint(256 + n++), b);
    }
    return map;
  }

  function escapeRegex(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  const DIGITS = /\p{N}|[^\p{N}]+/gu;

  function makeSmollm2(payload) {
    const vocab = {};
    payload.vocab.forEach((t, i) => { vocab[t] = i; });
    /* The `smollm` pre-tokenizer: every digit on its own, then GPT-2's byte-level regex.
     * The digit split is done here (DIGITS), not by tokenizers.js's Digits, which splits on
     * ASCII \d only; Rust's splits on char::is_numeric, every \p{N} (½, ², Ⅻ, ٣). */
    const tok = new window.aigHFTokenizers.Tokenizer({
      version: "1.0", truncation: null, padding: null, added_tokens: [], normalizer: null,
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: null,
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null,
               end_of_word_suffix: null, fuse_unk: false, byte_fallback: false,
               ignore_merges: false, vocab, merges: payload.merges },
    }, {});
    const toByte = unicodeToByte();
    const pieces = payload.vocab.map((t) => Uint8Array.from(Array.from(t, (ch) => toByte.get(ch))));
    const names = Object.keys(payload.special);
    const specialRe = new RegExp(`(${names.map(escapeRegex).join("|")})`);
    const tokenize = (text, special) => {
      const ids = [];
      for (const segment of special ? text.split(specialRe) : [text]) {
        if (special && Object.prototype.hasOwnProperty.call(payload.special, segment)) {
          ids.push(payload.special[segment]);
        } else if (segment) {
          for (const piece of segment.match(DIGITS)) {
            ids.push(...tok.encode(piece, { add_special_tokens: false }).ids);
          }
        }
      }
      return byteTokens(text, ids, ids.map((id) => pieces[id]));
    };
    tokenize.chat = payload.chat;
    return tokenize;
  }

  const MAKERS = { cl100k_base: makeCl100k, minilm: makeMinilm, smollm2: makeSmollm2 };
  const made = {};

  function tokenizer(name) {
    if (!made[name]) {
      if (!payloads[name]) throw new Error(`tokenizer ${name} is not loaded`);
      made[name] = MAKERS[name](payloads[name]);
    }
    return made[name];
  }

  /* Lone UTF-16 surrogates cannot be encoded (Python refuses them too): shown as U+FFFD. */
  function wellFormed(text) {
    return text.toWellFormed ? text.toWellFormed() : text.replace(/[\uD800-\uDFFF]/g, (s, i, t) => s);
  }

  window.aigTok = {
    LABELS: {
      cl100k_base: "GPT-4 (cl100k_base)",
      minilm: "all-MiniLM-L6-v2 (WordPiece)",
      smollm2: "SmolLM2-135M (byte-level BPE)",
    },
    loadScript,
    loadData,
    /* tokens of text; special=true as in tokenize(..., special=True) in Python */
    tokenize: (name, text, special) => tokenizer(name)(wellFormed(text), Boolean(special)),
    /* render_chat([{role: "user", content: text}]) as the template places it */
    chat: (text) => {
      const frame = tokenizer("smollm2").chat;
      return frame.before + text + frame.after;
    },
    /* for the parity test that shows a wrong rank is caught */
    _payloads: payloads,
    _reset: () => { for (const k of Object.keys(made)) delete made[k]; },
  };
})();
