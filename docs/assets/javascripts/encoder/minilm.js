/* all-MiniLM-L6-v2's forward pass in plain JavaScript, for the page and its worker.
 *
 * Line for line the NumPy model in aiguide/models/minilm.py: the same names (the tensor
 * names of model.safetensors, e.g. "encoder.layer.0.attention.self.query.weight"), the same
 * order of operations, a shape comment on each step. Tensors are flat typed arrays in
 * row-major order; a dense weight is stored [out, in], as torch.nn.Linear keeps it, so
 * linear() takes dot products of rows. Sums run in double precision (JavaScript numbers)
 * and are stored as float32, as the Python model's are.
 *
 * forwardSteps() is a generator that yields after every heavy step, so a caller on the
 * page's own thread can hand control back to the browser between steps (from file://
 * there is no worker); forward() runs it straight through. */
(function (root) {
  "use strict";
  if (root.aigMiniLM) return;

  /* float16 bits -> value: a table of all 65,536, built once. */
  let halfTable = null;
  function halfToFloat() {
    if (halfTable) return halfTable;
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      if (exp === 0) halfTable[h] = sign * frac * 2 ** -24; // subnormal
      else if (exp === 31) halfTable[h] = frac ? NaN : sign * Infinity;
      else halfTable[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
    }
    return halfTable;
  }

  /* Typed-array views of each tensor in the weights buffer, at the manifest's offsets. */
  function tensors(manifest, buffer) {
    const w = {};
    for (const [name, t] of Object.entries(manifest.tensors)) {
      const size = t.shape.reduce((a, b) => a * b, 1);
      w[name] = t.dtype === "float16"
        ? new Uint16Array(buffer, t.offset, size)
        : new Float32Array(buffer, t.offset, size);
    }
    return w;
  }

  // --- the pieces of a BERT layer ------------------------------------------------------

  function layerNorm(x, n, e, g, b, eps) {
    const out = new Float32Array(n * e);
    for (let i = 0; i < n; i++) {
      const row = i * e;
      let mean = 0;
      for (let j = 0; j < e; j++) mean += x[row + j];
      mean /= e; // [n, e] -> [n, 1]
      let variance = 0;
      for (let j = 0; j < e; j++) variance += (x[row + j] - mean) ** 2;
      variance /= e; // [n, e] -> [n, 1]
      const scale = 1 / Math.sqrt(variance + eps);
      for (let j = 0; j < e; j++) out[row + j] = g[j] * (x[row + j] - mean) * scale + b[j];
    }
    return out; // [n, e]
  }

  /* x [n, in] @ wᵀ + b -> [n, out], with w stored [out, in] as the weight files hold it.
   *
   * Two tokens by four outputs per pass over `in`: each weight read serves two tokens, each
   * input value four outputs, and the eight running sums do not wait on one another. V8
   * does not vectorise loops, so this blocking is what makes the pass fast (3.5 times one
   * dot product at a time on a 2-core machine; i-k-j order over transposed weights was no
   * faster than the plain loop). Every sum still runs over k in order and in double
   * precision, so the numbers are the plain loop's. `act`, when given, is applied to each
   * biased sum before it is stored as float32: bias and GELU in the same pass. */
  function linear(x, n, nIn, w, b, act = null) {
    const nOut = b.length;
    if (nOut % 4) throw new Error(`linear: ${nOut} outputs, not a multiple of 4`);
    const out = new Float32Array(n * nOut); // [n, out]
    const put = act ? (at, s) => { out[at] = act(s); } : (at, s) => { out[at] = s; };
    for (let i = 0; i < n; i += 2) {
      const x0 = i * nIn; // tokens i and i + 1 (an odd last token: itself twice, stored once)
      const x1 = i + 1 < n ? x0 + nIn : x0;
      for (let o = 0; o < nOut; o += 4) {
        const w0 = o * nIn, w1 = w0 + nIn, w2 = w1 + nIn, w3 = w2 + nIn; // rows o..o+3 of w
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let k = 0; k < nIn; k++) {
          const p = x[x0 + k], q = x[x1 + k];
          const u0 = w[w0 + k], u1 = w[w1 + k], u2 = w[w2 + k], u3 = w[w3 + k];
          a0 += p * u0; a1 += p * u1; a2 += p * u2; a3 += p * u3;
          b0 += q * u0; b1 += q * u1; b2 += q * u2; b3 += q * u3;
        }
        const r = i * nOut + o;
        put(r, a0 + b[o]); put(r + 1, a1 + b[o + 1]); put(r + 2, a2 + b[o + 2]); put(r + 3, a3 + b[o + 3]);
        if (x1 !== x0) {
          const r1 = r + nOut;
          put(r1, b0 + b[o]); put(r1 + 1, b1 + b[o + 1]); put(r1 + 2, b2 + b[o + 2]); put(r1 + 3, b3 + b[o + 3]);
        }
      }
    }
    return out; // [n, in] @ [in, out] -> [n, out]
  }

  /* erf by Abramowitz and Stegun 7.1.26 (error below 1.5e-7, under float32's rounding of
   * values near 1); JavaScript has no Math.erf. */
  function erf(x) {
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
      + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  }

  /* BERT's exact GELU, x·Φ(x). */
  const gelu = (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));

  function addInPlace(x, y) {
    for (let i = 0; i < x.length; i++) x[i] += y[i];
    return x;
  }

  /* Bidirectional multi-head attention: every token attends to every token. Each head's
   * keys and values are first copied into contiguous [n, d] blocks, so that the inner loops
   * read memory in order rather than striding across the other heads' columns. */
  function selfAttention(x, n, w, p, cfg) {
    const e = cfg.n_embd;
    const h = cfg.n_head;
    const d = e / h;
    const q = linear(x, n, e, w[p + "query.weight"], w[p + "query.bias"]); // [n, e]
    const k = linear(x, n, e, w[p + "key.weight"], w[p + "key.bias"]); // [n, e]
    const v = linear(x, n, e, w[p + "value.weight"], w[p + "value.bias"]); // [n, e]
    const att = new Float32Array(h * n * n); // [h, n, n]
    const out = new Float32Array(n * e); // [n, e]: the heads side by side
    const scale = 1 / Math.sqrt(d);
    const kh = new Float32Array(n * d); // [n, d]: this head's keys
    const vh = new Float32Array(n * d); // [n, d]: this head's values
    const row = new Float64Array(n); // [n]: one query's scores
    const mix = new Float64Array(d); // [d]: one query's weighted sum of values
    for (let head = 0; head < h; head++) {
      const c = head * d; // this head's columns of q, k, v
      for (let j = 0; j < n; j++) {
        kh.set(k.subarray(j * e + c, j * e + c + d), j * d);
        vh.set(v.subarray(j * e + c, j * e + c + d), j * d);
      }
      for (let i = 0; i < n; i++) {
        const qi = i * e + c;
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          const kj = j * d;
          let s = 0;
          for (let t = 0; t < d; t++) s += q[qi + t] * kh[kj + t];
          row[j] = s * scale; // q_i · k_j / sqrt(d)
          if (row[j] > max) max = row[j];
        }
        let sum = 0;
        for (let j = 0; j < n; j++) {
          row[j] = Math.exp(row[j] - max); // shifted: no overflow
          sum += row[j];
        }
        const a = (head * n + i) * n;
        for (let j = 0; j < n; j++) att[a + j] = row[j] / sum; // the row sums to 1
        mix.fill(0);
        for (let j = 0; j < n; j++) {
          const weight = att[a + j];
          const vj = j * d;
          for (let t = 0; t < d; t++) mix[t] += weight * vh[vj + t];
        }
        for (let t = 0; t < d; t++) out[qi + t] = mix[t]; // [h, n, n] @ [h, n, d] -> [n, e]
      }
    }
    return { out, att };
  }

  /* One post-LayerNorm encoder layer, in steps: yields between the heavy ones. */
  function* bertLayer(x, n, w, i, cfg, result) {
    const p = `encoder.layer.${i}.`;
    const e = cfg.n_embd;
    const { out, att } = selfAttention(x, n, w, p + "attention.self.", cfg); // [n, e], [h, n, n]
    yield;
    const a = linear(out, n, e, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"]);
    x = layerNorm(addInPlace(a, x), n, e, w[p + "attention.output.LayerNorm.weight"],
      w[p + "attention.output.LayerNorm.bias"], cfg.eps); // [n, e]
    let hidden = linear(x, n, e, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"], gelu); // [n, f]
    yield;
    hidden = linear(hidden, n, cfg.n_ff, w[p + "output.dense.weight"], w[p + "output.dense.bias"]); // [n, e]
    yield;
    result.x = layerNorm(addInPlace(hidden, x), n, e, w[p + "output.LayerNorm.weight"],
      w[p + "output.LayerNorm.bias"], cfg.eps); // [n, e]
    result.att = att;
  }

  /* Last hidden states [n, e] and every attention map [layers, heads, n, n] of token ids. */
  function* forwardSteps(w, cfg, ids) {
    const n = ids.length;
    const e = cfg.n_embd;
    const words = w["embeddings.word_embeddings.weight"]; // [vocab, e], float16 bits
    const positions = w["embeddings.position_embeddings.weight"]; // [limit, e]
    const types = w["embeddings.token_type_embeddings.weight"]; // [2, e]: one sentence, type 0
    if (n < 1 || n * e > positions.length) throw new Error(`${n} tokens; this export takes 1 to ${positions.length / e}`);
    const half = halfToFloat();
    let x = new Float32Array(n * e);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < e; j++) {
        x[i * e + j] = half[words[ids[i] * e + j]] + positions[i * e + j] + types[j];
      }
    }
    x = layerNorm(x, n, e, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], cfg.eps); // [n, e]
    const attentions = new Float32Array(cfg.n_layer * cfg.n_head * n * n);
    const layer = {};
    for (let i = 0; i < cfg.n_layer; i++) {
      yield* bertLayer(x, n, w, i, cfg, layer); // [n, e], [h, n, n]
      x = layer.x;
      attentions.set(layer.att, i * cfg.n_head * n * n);
    }
    return { hidden: x, attentions }; // [n, e], [layers, h, n, n]
  }

  function forward(w, cfg, ids) {
    return finish(forwardSteps(w, cfg, ids));
  }

  /* Mean of the last hidden states over every token, then unit length (MiniLM.embed). */
  function meanPooled(hidden, n, e) {
    const v = new Float64Array(e);
    for (let i = 0; i < n; i++) for (let j = 0; j < e; j++) v[j] += hidden[i * e + j];
    let norm = 0;
    for (let j = 0; j < e; j++) norm += (v[j] / n) ** 2;
    norm = Math.sqrt(norm);
    return Float32Array.from(v, (s) => s / n / norm); // [e], unit length
  }

  /* Cosine similarities of unit vectors: dot products, clipped to [-1, 1]. */
  function cosines(vectors) {
    return vectors.map((a) => vectors.map((b) => {
      let s = 0;
      for (let j = 0; j < a.length; j++) s += a[j] * b[j];
      return Math.min(1, Math.max(-1, s));
    }));
  }

  /* Token ids cut to the limit as sentence-transformers cuts them: the first limit - 1,
   * then the final [SEP] (aiguide.retrieval.truncate). */
  function truncate(ids, limit) {
    return ids.length <= limit ? ids : ids.slice(0, limit - 1).concat(ids.slice(-1));
  }

  /* Everything the page shows for some sentences: tokens, attention, embeddings and their
   * similarities. A generator, like forwardSteps, so the page can pause between steps. */
  function* analyseSteps(w, cfg, tokenizer, texts, limit) {
    const sentences = [];
    const attentions = [];
    const embeddings = [];
    for (const text of texts) {
      const all = tokenizer.encode(text);
      const ids = truncate(all, limit);
      const { hidden, attentions: att } = yield* forwardSteps(w, cfg, ids);
      sentences.push({ text, ids, tokens: ids.map(tokenizer.token), count: all.length });
      attentions.push(att); // [layers, heads, n, n]
      embeddings.push(meanPooled(hidden, ids.length, cfg.n_embd)); // [e]
      yield;
    }
    return { sentences, attentions, embeddings, similarity: cosines(embeddings) };
  }

  function finish(steps) {
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  root.aigMiniLM = { tensors, forward, forwardSteps, analyseSteps, finish, meanPooled, cosines, truncate };
})(self);
