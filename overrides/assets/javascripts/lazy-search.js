// Fetch the search index when the reader first asks to search, not on every page load.
// Material requests search/search_index.json (by XMLHttpRequest) as soon as a page opens;
// with a large archive that is most of a first visit's weight. This holds that one request
// back until the reader focuses the search box, clicks its label or presses a search key
// ("/", "s" or "f"), then lets it go. Loaded in <head>, before Material's bundle.
(function () {
  "use strict";

  var INDEX = /\/search\/search_index\.json(\?|$)/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  var waiting = [];
  var asked = false;

  function release() {
    if (asked) return;
    asked = true;
    waiting.splice(0).forEach(function (job) {
      send.apply(job.request, job.args);
    });
  }

  XMLHttpRequest.prototype.open = function (method, url) {
    this.impartDeferred = INDEX.test(String(url));
    return open.apply(this, arguments);
  };

  XMLHttpRequest.prototype.send = function () {
    if (this.impartDeferred && !asked) {
      waiting.push({ request: this, args: arguments });
      return undefined;
    }
    return send.apply(this, arguments);
  };

  document.addEventListener(
    "focusin",
    function (event) {
      if (event.target.closest && event.target.closest("[data-md-component=search]")) release();
    },
    true
  );
  document.addEventListener(
    "click",
    function (event) {
      if (event.target.closest && event.target.closest("label[for=__search], [data-md-component=search]")) release();
    },
    true
  );
  document.addEventListener(
    "keydown",
    function (event) {
      var typing = event.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
      if (!typing && (event.key === "/" || event.key === "s" || event.key === "f")) release();
    },
    true
  );
})();
