/* Search that costs nothing until it is used.

   Material starts its search worker and requests the whole search index on every first
   page load (search/search_index.json over HTTP; search/search_index.js, a script tag, in
   the offline copy on file://), whether or not the reader ever searches. This script runs
   before Material's bundle (overrides/main.html, block scripts) and holds both back until
   the reader focuses the search box (a click, a tap, or Material's `/`, `s` and `f` keys,
   which focus it) or opens a link that needs the index (`?q=` opens search, `?h=`
   highlights the terms of a search result).

   It wraps the three browser primitives Material uses, and only for the two search URLs:
   the Worker constructor (so the worker script is not fetched yet; a stand-in queues the
   messages), XMLHttpRequest.send (the index request), and appending a script to <head>
   (the index script on file://). Everything else passes straight through, and Material's
   own code is unchanged: once released, its requests and messages go out exactly as
   before. Material answers a query typed while the index loads as soon as it is ready.

   performance.mark("aig-search-requested") and ("aig-search-ready") time the load for
   `make bench`. */
(function () {
  "use strict";
  var released = false;
  var waiting = [];

  function whenReleased(run) {
    if (released) run(); else waiting.push(run);
  }

  function release() {
    if (released) return;
    released = true;
    performance.mark("aig-search-requested");
    waiting.splice(0).forEach(function (run) { run(); });
  }

  function isSearchIndex(url) {
    return /\/search\/search_index\.js(on)?$/.test(new URL(String(url), location.href).pathname);
  }

  function isSearchWorker(url) {
    return /\/workers\/search\.[^/]*\.js$/.test(new URL(String(url), location.href).pathname);
  }

  /* The worker: on file:// window.Worker is already the iframe-worker shim (a polyfill in
     <head>), which this wraps in turn. */
  var RealWorker = window.Worker;
  function OnDemandWorker(url, options) {
    if (!isSearchWorker(url)) return new RealWorker(url, options);
    var standIn = new EventTarget();
    var queued = [];
    var worker = null;
    standIn.postMessage = function (message) {
      if (worker) worker.postMessage(message); else queued.push(message);
    };
    standIn.terminate = function () {
      if (worker) worker.terminate();
    };
    whenReleased(function () {
      worker = new RealWorker(url, options);
      worker.addEventListener("message", function (event) {
        if (event.data && event.data.type === 1) performance.mark("aig-search-ready"); // READY
        standIn.dispatchEvent(new MessageEvent("message", { data: event.data }));
      });
      queued.splice(0).forEach(function (message) { worker.postMessage(message); });
    });
    return standIn;
  }
  if (RealWorker) window.Worker = OnDemandWorker;

  /* The index over HTTP (published site, mkdocs serve). */
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.aigSearchIndex = isSearchIndex(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var request = this;
    var args = arguments;
    if (!request.aigSearchIndex) return send.apply(request, args);
    whenReleased(function () { send.apply(request, args); });
  };

  /* The index as a script, in the offline copy opened from file://. */
  var appendChild = HTMLHeadElement.prototype.appendChild;
  HTMLHeadElement.prototype.appendChild = function (node) {
    var head = this;
    if (!released && node instanceof HTMLScriptElement && node.src && isSearchIndex(node.src)) {
      whenReleased(function () { appendChild.call(head, node); });
      return node;
    }
    return appendChild.call(head, node);
  };

  document.addEventListener("focusin", function (event) {
    if (event.target instanceof Element && event.target.matches("[data-md-component=search-query]")) release();
  });
  var params = new URLSearchParams(location.search);
  if (params.has("q") || params.has("h")) release();
})();
