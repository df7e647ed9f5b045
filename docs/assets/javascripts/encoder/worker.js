/* The encoder's worker: the model runs here, off the page's thread, when the browser allows
 * a worker (not from file://; encoder.js then runs the same code on the page, in steps). */
importScripts("wordpiece.js", "minilm.js");

let model = null;

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    const { manifest, buffer, tokenizer } = message;
    model = {
      w: aigMiniLM.tensors(manifest, buffer),
      cfg: manifest.config,
      tokenizer: aigWordPiece.create(tokenizer, manifest.tokenizer),
      limit: manifest.limits.tokens,
    };
    self.postMessage({ type: "ready" });
  } else if (message.type === "run") {
    try {
      const result = aigMiniLM.finish(aigMiniLM.analyseSteps(model.w, model.cfg, model.tokenizer, message.texts, model.limit));
      self.postMessage({ type: "result", id: message.id, result }, result.attentions.map((a) => a.buffer));
    } catch (error) {
      self.postMessage({ type: "error", id: message.id, message: String(error && error.message || error) });
    }
  }
};

self.postMessage({ type: "alive" });
