// Material's bundle asks for sitemap.xml once for every <link rel=alternate> in the page
// (its language switch reads each as another language's copy of the site, and maps pages
// through that copy's sitemap), so the four feed links cost four fetches of the whole
// sitemap (189 KB at 1,000 notes). This site has no language copies and no instant
// navigation, the only parts that use it, so the request is never sent: main.html
// inlines this only when neither `extra.alternate` nor `navigation.instant` is configured.
// Proved by tests/test_publication.py (no sitemap.xml request after the bundle has run).
(function () {
  "use strict";

  var SITEMAP = /\/sitemap\.xml(\?|$)/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;

  XMLHttpRequest.prototype.open = function (method, url) {
    this.impartNoSitemap = SITEMAP.test(String(url));
    return open.apply(this, arguments);
  };

  XMLHttpRequest.prototype.send = function () {
    // Left unsent: the bundle's observer never hears back, which is what it makes of a site without copies.
    if (this.impartNoSitemap) return undefined;
    return send.apply(this, arguments);
  };
})();
