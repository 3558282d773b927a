// The Request a Proposal form with JavaScript: the same checks as the handler,
// read from the page's JSON island (never rewritten here), inline errors with a
// summary that takes focus, and submission with fetch. Without this script the
// form posts normally and the handler answers with the same messages.
(function () {
  "use strict";

  var REFERENCE = /^\d{8}-\d{6}-[A-HJ-NP-Z2-9]{6}$/;

  function param(name) {
    return new URLSearchParams(window.location.search).get(name) || "";
  }

  // The thank-you page: show the reference from ?ref= when the page did not come with it.
  function showReference() {
    var block = document.querySelector("[data-impart-reference]");
    var reference = param("ref");
    if (!block || !block.hidden || !REFERENCE.test(reference)) return;
    block.querySelector("[data-impart-reference-value]").textContent = reference;
    block.hidden = false;
  }

  function valueOf(form, field) {
    var control = form.elements[field.name];
    if (field.type === "checkbox") return control.checked ? "yes" : "";
    return control.value.normalize("NFC");
  }

  // One message per field, or none: the same order of checks as impart/intake/validation.py.
  function problemWith(field, value) {
    if (field.type === "checkbox") return field.required && !value ? field.messages.required : "";
    if (!value.trim()) return field.required ? field.messages.required : "";
    if (Array.from(value).length > field.maxLength) return field.messages.tooLong;
    if (field.type === "select" && field.options.indexOf(value) < 0) return field.messages.invalid;
    var tested = field.type === "email" || field.type === "tel" ? value.trim() : value;
    for (var i = 0; i < field.checks.length; i++) {
      if (!new RegExp(field.checks[i].pattern).test(tested)) return field.checks[i].message;
    }
    return "";
  }

  function setFieldError(form, name, message) {
    var group = form.querySelector('[data-impart-field="' + name + '"]');
    if (!group) return;
    var control = form.elements[name];
    var box = document.getElementById(name + "-error");
    var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== box.id;
    });
    box.querySelector("[data-impart-message]").textContent = message;
    box.hidden = !message;
    group.classList.toggle("impart-field--error", !!message);
    if (message) {
      ids.push(box.id);
      control.setAttribute("aria-invalid", "true");
    } else {
      control.removeAttribute("aria-invalid");
    }
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  function showSummary(form, errors, problem) {
    var summary = form.querySelector("[data-impart-summary]");
    var list = summary.querySelector("[data-impart-summary-list]");
    var note = summary.querySelector("[data-impart-problem]");
    list.textContent = "";
    Object.keys(errors).forEach(function (name) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + name;
      link.textContent = errors[name];
      link.addEventListener("click", function (event) {
        event.preventDefault();
        form.elements[name].focus();
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    note.textContent = problem || "";
    note.hidden = !problem;
    summary.hidden = false;
    if (document.title.indexOf("Error: ") !== 0) document.title = "Error: " + document.title;
    summary.focus();
  }

  function clearSummary(form) {
    form.querySelector("[data-impart-summary]").hidden = true;
    document.title = document.title.replace(/^Error: /, "");
  }

  function showErrors(form, rules, errors) {
    rules.fields.forEach(function (field) {
      setFieldError(form, field.name, errors[field.name] || "");
    });
    if (Object.keys(errors).length) showSummary(form, errors);
    else clearSummary(form);
  }

  function enhance(form) {
    var rules = JSON.parse(document.getElementById("impart-form-rules").textContent);
    var button = form.querySelector("button[type=submit]");
    var cameFrom = form.querySelector("[data-impart-from]");
    var sitePath = new RegExp(rules.fromPattern);
    if (cameFrom && !cameFrom.value && sitePath.test(param("from"))) cameFrom.value = param("from");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) return;
      var errors = {};
      rules.fields.forEach(function (field) {
        var message = problemWith(field, valueOf(form, field));
        if (message) errors[field.name] = message;
      });
      showErrors(form, rules, errors);
      if (Object.keys(errors).length) return;

      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          // A proxy's own error page (413, 502, ...) is not JSON: say what happened all the same.
          return response.json().then(
            function (body) {
              return { status: response.status, body: body };
            },
            function () {
              return { status: response.status, body: { error: "Your request could not be sent (error " + response.status + "). Please try again, or write to us." } };
            }
          );
        })
        .then(function (answer) {
          if (answer.status === 201 && REFERENCE.test(answer.body.reference)) {
            window.location.assign(form.dataset.thanks + "?ref=" + encodeURIComponent(answer.body.reference));
            return;
          }
          if (answer.status === 422 && answer.body.errors) showErrors(form, rules, answer.body.errors);
          else showSummary(form, {}, answer.body.error || "Your request could not be sent. Please try again.");
          button.disabled = false;
          button.removeAttribute("aria-busy");
        })
        .catch(function () {
          showSummary(form, {}, "Your request could not be sent: check your connection and try again.");
          button.disabled = false;
          button.removeAttribute("aria-busy");
        });
    });
  }

  var form = document.querySelector("[data-impart-form]");
  if (form) {
    enhance(form);
    // Back from the thank-you page, the browser may restore this page as it was: sending.
    window.addEventListener("pageshow", function () {
      var button = form.querySelector("button[type=submit]");
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  }
  showReference();
})();
