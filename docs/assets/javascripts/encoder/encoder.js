/* Loading the encoder and running it: in a worker where the browser allows one, otherwise on
 * the page in steps that hand control back to the browser between them.
 *
 * The weights arrive as <script> files (aiguide/web/minilm.py explains why: fetch() of
 * file:// URLs is refused, scripts are not). Each file calls aigEncoderAsset(hash, payload);
 * base64 slices are decoded into one ArrayBuffer at their place, checked against the
 * manifest's SHA-256 when the browser offers crypto.subtle, and the tensors are views of
 * that buffer. The worker receives the buffer itself (transferred, not copied). */
(function (root) {
  "use strict";
  if (root.aigEncoder) return;
  const scriptUrl = document.currentScript.src; // worker.js lives next to this file

  const arrived = new Map(); // first 16 hex digits of a payload's hash -> payload
  root.aigEncoderAsset = (hash, payload) => arrived.set(hash, payload);

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => { script.remove(); resolve(); };
      script.onerror = () => { script.remove(); reject(new Error(`could not load ${url}`)); };
      document.head.append(script);
    });
  }

  async function loadAsset(base, entry) {
    await loadScript(new URL(entry.file, base).href);
    const key = entry.sha256.slice(0, 16);
    if (!arrived.has(key)) throw new Error(`${entry.file} did not contain the data the manifest names`);
    const payload = arrived.get(key);
    arrived.delete(key);
    return payload;
  }

  function decodeBase64Into(text, target) {
    if (target.setFromBase64) return target.setFromBase64(text).written;
    const binary = atob(text);
    for (let i = 0; i < binary.length; i++) target[i] = binary.charCodeAt(i);
    return binary.length;
  }

  async function checkHash(bytes, expected, file) {
    if (!(root.crypto && crypto.subtle)) return; // not a secure context: the length check stands alone
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    if (hex !== expected) throw new Error(`${file} is damaged (its SHA-256 does not match the manifest)`);
  }

  /* The tokenizer file and every weight slice, reporting progress as
   * onProgress(bytes loaded, total bytes) in file sizes. */
  async function download(manifest, base, onProgress) {
    let loaded = 0;
    const total = manifest.total_size;
    onProgress(loaded, total);
    const tokenizer = await loadAsset(base, manifest.tokenizer);
    if (!tokenizer.vocab || tokenizer.vocab.length !== manifest.config.n_vocab) {
      throw new Error(`${manifest.tokenizer.file} does not hold a ${manifest.config.n_vocab}-token vocabulary`);
    }
    loaded += manifest.tokenizer.size;
    onProgress(loaded, total);

    const bytes = new Uint8Array(manifest.weights.reduce((sum, c) => sum + c.bytes, 0));
    const starts = [];
    manifest.weights.reduce((at, c) => (starts.push(at), at + c.bytes), 0);
    let next = 0;
    async function fetchSlices() { // three at a time: steady progress, no long queue
      while (next < manifest.weights.length) {
        const i = next++;
        const chunk = manifest.weights[i];
        const slot = bytes.subarray(starts[i], starts[i] + chunk.bytes);
        const written = decodeBase64Into(await loadAsset(base, chunk), slot);
        if (written !== chunk.bytes) throw new Error(`${chunk.file} holds ${written} bytes, not ${chunk.bytes}`);
        await checkHash(slot, chunk.sha256, chunk.file);
        loaded += chunk.size;
        onProgress(loaded, total);
      }
    }
    await Promise.all([fetchSlices(), fetchSlices(), fetchSlices()]);
    return { buffer: bytes.buffer, tokenizer };
  }

  /* Hand control back to the browser (input, painting) before the next step. */
  function pause() {
    if (root.scheduler && scheduler.yield) return scheduler.yield();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  function pageRunner(manifest, buffer, tokenizerFile) {
    const w = aigMiniLM.tensors(manifest, buffer);
    const tokenizer = aigWordPiece.create(tokenizerFile, manifest.tokenizer);
    return {
      mode: "page",
      weights: w, // reachable so that a test can perturb one weight and see parity fail
      config: manifest.config,
      async run(texts) {
        const steps = aigMiniLM.analyseSteps(w, this.config, tokenizer, texts, manifest.limits.tokens);
        for (;;) {
          const step = steps.next();
          if (step.done) return step.value;
          await pause();
        }
      },
    };
  }

  /* A worker that has said it is alive, or null if this browser will not start one here. */
  function startWorker() {
    return new Promise((resolve) => {
      let worker;
      // From file:// Chromium refuses workers, and the offline copy's iframe-worker shim
      // (Material's polyfill for search) cannot run importScripts: stay on the page.
      if (location.protocol === "file:") {
        resolve(null);
        return;
      }
      try {
        worker = new Worker(new URL("worker.js", scriptUrl).href);
      } catch (error) { // Chromium throws at once for file:// pages
        resolve(null);
        return;
      }
      worker.onmessage = (event) => event.data.type === "alive" && resolve(worker);
      worker.onerror = (event) => { event.preventDefault(); worker.terminate(); resolve(null); };
    });
  }

  function workerRunner(worker, manifest, buffer, tokenizerFile) {
    const waiting = new Map();
    let counter = 0;
    return new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        const message = event.data;
        if (message.type === "ready") resolve(runner);
        const job = waiting.get(message.id);
        if (!job) return;
        waiting.delete(message.id);
        if (message.type === "result") job.resolve(message.result);
        else job.reject(new Error(message.message));
      };
      worker.onerror = (event) => reject(new Error(event.message || "the worker failed"));
      const runner = {
        mode: "worker",
        run(texts) {
          const id = ++counter;
          return new Promise((ok, fail) => {
            waiting.set(id, { resolve: ok, reject: fail });
            worker.postMessage({ type: "run", id, texts });
          });
        },
      };
      const { tensors, tokenizer, config, limits } = manifest;
      worker.postMessage({ type: "init", manifest: { tensors, tokenizer, config, limits },
        buffer, tokenizer: tokenizerFile }, [buffer]);
    });
  }

  let loading = null; // one load per page session; instant navigation keeps it
  /* The runner for a manifest: downloads once, then reuses. options.worker = false keeps
   * the model on the page even where a worker would start. */
  function load(manifest, base, onProgress, options = {}) {
    if (loading && loading.hash === manifest.weights[0].sha256) return loading.promise;
    const promise = (async () => {
      const { buffer, tokenizer } = await download(manifest, base, onProgress);
      const worker = options.worker === false ? null : await startWorker();
      return worker ? workerRunner(worker, manifest, buffer, tokenizer) : pageRunner(manifest, buffer, tokenizer);
    })();
    loading = { hash: manifest.weights[0].sha256, promise };
    promise.catch(() => { loading = null; }); // a failed load may be retried
    return promise;
  }

  root.aigEncoder = { load, pause };
})(self);
