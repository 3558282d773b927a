// The reader's colour scheme, the palette toggle and search, from the first paint.
//
// Material's bundle, which would apply a dark system preference and show the toggle and
// search, now waits for the reader's first interaction (on-interaction.js). This script is
// inlined into every page (partials/first-paint.html) and does, before anything is painted,
// the part of Material's palette component a reader can see:
// - the scheme: the choice Material stored (localStorage, its "__palette" key), else the
//   palette option whose media query matches (prefers-color-scheme), set on <body>;
// - `impart-scripts` on <html>, so impart.css shows search and the toggle, which Material's
//   CSS hides under `no-js` (they stay hidden when scripts are off: they would not work);
// - a tap on the toggle before the bundle runs switches the scheme at once and is stored
//   under Material's own key, so the bundle starts from it; a tap on search opens it and
//   puts the cursor in the box, where the bundle finds the query when it starts.
// tests/test_publication.py proves each point in Chromium.
(function () {
  "use strict";

  var options = window.impartPaletteOptions || [];
  var body = document.body;
  document.documentElement.classList.add("impart-scripts");

  function stored() {
    try {
      return window.__md_get ? __md_get("__palette") : null;
    } catch (error) {
      return null; // storage refused (privacy settings): fall back to the system's preference
    }
  }

  function chosenIndex() {
    var palette = stored();
    if (palette && typeof palette.index === "number") return Math.max(0, Math.min(palette.index, options.length - 1));
    for (var i = 0; i < options.length; i++) {
      if (options[i].media && matchMedia(options[i].media).matches) return i;
    }
    return 0;
  }

  function apply(index) {
    var option = options[index];
    if (!option) return;
    ["media", "scheme", "primary", "accent"].forEach(function (key) {
      if (option[key]) body.setAttribute("data-md-color-" + key, option[key]);
    });
  }

  var current = chosenIndex();
  apply(current);

  // Called once the header (and so the toggle and search) has been parsed.
  window.impartFirstPaintControls = function () {
    var inputs = document.querySelectorAll("[data-md-component=palette] input");
    function show(index) {
      for (var i = 0; i < inputs.length; i++) {
        var label = inputs[i].nextElementSibling;
        if (label && label.tagName === "LABEL") label.hidden = i !== index;
      }
    }
    if (inputs[current]) inputs[current].checked = true;
    show(current);
    Array.prototype.forEach.call(inputs, function (input, index) {
      input.addEventListener("change", function () {
        apply(index);
        show(index);
        var option = options[index] || {};
        if (window.__md_set) {
          __md_set("__palette", {
            index: index,
            color: { media: option.media, scheme: option.scheme, primary: option.primary, accent: option.accent },
          });
        }
      });
    });

    var search = document.getElementById("__search");
    var query = document.querySelector("[data-md-component=search-query]");
    if (search && query) {
      search.addEventListener("change", function () {
        if (search.checked) query.focus();
      });
    }
  };
})();
