// Material's bundle (about 35 KB compressed, and most of a phone's main-thread time on
// load) runs at the reader's first interaction instead of during the first paint: the
// mouse moving, a touch, a key, focus, the wheel or a scroll. Until then the page is
// plain HTML and CSS, which is all a reader needs to read a note (the drawer is
// CSS-driven); search and the palette toggle appear as soon as the bundle has run.
// Material starts its components on DOMContentLoaded, which has passed by then, so the
// event is sent again once the bundle has loaded.
(function () {
  "use strict";

  var started = false;

  function start() {
    if (started) return;
    started = true;
    document.querySelectorAll("script[type='impart/on-interaction']").forEach(function (inert) {
      var script = document.createElement("script");
      script.src = inert.getAttribute("data-src");
      script.async = false;
      script.addEventListener("load", function () {
        document.dispatchEvent(new Event("DOMContentLoaded"));
      });
      inert.replaceWith(script);
    });
  }

  // Wide code and tables scroll in their own box (impart.css): until the bundle runs (it gives
  // overflowing code blocks a tab stop itself), such a box takes the keyboard focus, so it can
  // be scrolled without a mouse (axe: scrollable-region-focusable).
  document.querySelectorAll(".md-typeset pre > code, .md-typeset table:not([class])").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
  });

  ["pointermove", "pointerdown", "keydown", "touchstart", "focusin", "wheel", "scroll"].forEach(function (name) {
    window.addEventListener(name, start, { once: true, passive: true, capture: true });
  });
})();
