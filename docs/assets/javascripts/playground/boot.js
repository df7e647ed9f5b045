/* Tokenizer playground, first stage: tiny on purpose. It only offers the playground (a
 * "Try your own text" button on each tokens figure, the form on the playground page) and
 * loads the libraries and the tokenizers' data on the first click, focus or keystroke.
 * Safe to run again on each page, as Material's instant navigation would (it is off). */
(function () {
  "use strict";
  const boot = window.aigTokBoot || (window.aigTokBoot = {});

  function settings() {
    const el = document.querySelector(".aig-tokplay-settings");
    return el ? JSON.parse(el.dataset.settings) : null;
  }

  function script(url) {
    return new Promise((resolve, reject) => {
      const el = document.createElement("script");
      el.src = url;
      el.onload = resolve;
      el.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(el);
    });
  }

  boot.start = function (s) {
    if (!boot.started) {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = s.scripts + "playground/tokplay.css";
      document.head.appendChild(css);
      boot.started = Promise.all(["vendor/js-tiktoken-lite.js", "vendor/hf-tokenizers.js",
        "playground/tokplay.js", "playground/tokplay-ui.js"].map((f) => script(s.scripts + f)))
        .catch((error) => { boot.started = null; throw error; });
    }
    return boot.started;
  };

  function failed(where, error) {
    const p = document.createElement("p");
    p.className = "aig-tokplay-error";
    p.setAttribute("role", "alert");
    p.textContent = `The playground could not start: ${error.message}.`;
    where.append(p);
  }

  function setup() {
    const s = settings();
    if (!s) return;
    const form = document.querySelector("form[data-aig-tokplay]");
    if (form && !form.dataset.aigReady) {
      form.dataset.aigReady = "offered";
      form.hidden = false;
      const go = () => {
        if (form.dataset.aigReady !== "offered") return;
        form.dataset.aigReady = "started";
        boot.start(s).then(() => window.aigTokUI.playground(form, s), (e) => failed(form, e));
      };
      form.addEventListener("focusin", go);
      form.addEventListener("pointerdown", go);
      if (new URLSearchParams(location.search).has("text")) go();
    }
    for (const fig of document.querySelectorAll("figure.aig-tokens")) {
      const spec = s.figures[fig.id];
      if (!spec || fig.querySelector(".aig-tryit")) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "md-button aig-tryit";
      button.textContent = "Try your own text";
      button.addEventListener("click", () => {
        button.disabled = true;
        boot.start(s).then(() => window.aigTokUI.figure(fig, spec, s, button),
          (e) => { button.disabled = false; failed(fig, e); });
      });
      fig.append(button);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
