// The check-in page (templates/checkins/checkin_detail.html): keep what is typed in the browser until the
// server has it. The form autosaves through htmx; this file only keeps a copy of its fields in
// sessionStorage (keyed by check-in and version) so an expired session, a lost connection or a refused
// save never loses text: the copy is restored when the same version of the page loads again (e.g. after
// logging in again) and dropped once a save succeeds. Without JavaScript the buttons post the form.
(function () {
  "use strict";

  function form() {
    return document.getElementById("checkin-form");
  }

  function versionOf(el) {
    var input = el.querySelector("input[name='version']") || document.getElementById("id_version");
    return input ? input.value : "";
  }

  function keyFor(el, version) {
    return "checkin:" + el.getAttribute("data-checkin-id") + ":v" + version;
  }

  function store(el) {
    var values = {};
    Array.prototype.forEach.call(el.elements, function (field) {
      if (!field.name || field.type === "hidden" || field.type === "submit" || field.name === "csrfmiddlewaretoken") return;
      if (field.type === "radio") {
        if (field.checked) values[field.name] = field.value;
      } else if (field.type === "checkbox") {
        values[field.name] = field.checked;
      } else {
        values[field.name] = field.value;
      }
    });
    try {
      window.sessionStorage.setItem(keyFor(el, versionOf(el)), JSON.stringify(values));
    } catch (e) {
      /* storage full or off: the autosave still runs */
    }
  }

  function forget(el) {
    var prefix = "checkin:" + el.getAttribute("data-checkin-id") + ":";
    try {
      for (var i = window.sessionStorage.length - 1; i >= 0; i--) {
        var key = window.sessionStorage.key(i);
        if (key && key.indexOf(prefix) === 0) window.sessionStorage.removeItem(key);
      }
    } catch (e) {
      /* nothing to forget */
    }
  }

  function restore(el) {
    var saved;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(keyFor(el, versionOf(el))) || "null");
    } catch (e) {
      saved = null;
    }
    if (!saved) return false;
    var changed = false;
    Object.keys(saved).forEach(function (name) {
      var fields = el.querySelectorAll("[name='" + CSS.escape(name) + "']");
      Array.prototype.forEach.call(fields, function (field) {
        if (field.type === "radio") {
          if (field.checked !== (field.value === saved[name])) changed = true;
          field.checked = field.value === saved[name];
        } else if (field.type === "checkbox") {
          if (field.checked !== !!saved[name]) changed = true;
          field.checked = !!saved[name];
        } else if (field.value !== saved[name]) {
          field.value = saved[name];
          changed = true;
        }
      });
    });
    return changed;
  }

  function start() {
    var el = form();
    if (!el || !el.hasAttribute("hx-post")) return;
    // A button pressed while an autosave is on its way waits for it (the post must carry the version the
    // autosave gets back), and no autosave starts once the page is being submitted.
    var inFlight = false;
    var submitting = false;
    var waitingSubmitter = null;
    el.addEventListener("htmx:beforeRequest", function (event) {
      if (submitting) {
        event.preventDefault();
        return;
      }
      inFlight = true;
    });
    el.addEventListener("htmx:afterRequest", function () {
      inFlight = false;
      if (waitingSubmitter) {
        var button = waitingSubmitter;
        waitingSubmitter = null;
        el.requestSubmit(button);
      }
    });
    el.addEventListener("submit", function (event) {
      if (inFlight) {
        event.preventDefault();
        waitingSubmitter = event.submitter || null;
        return;
      }
      submitting = true;
      store(el);
    });
    el.addEventListener("input", function () { store(el); });
    el.addEventListener("change", function () { store(el); });
    if (restore(el)) {
      var status = document.getElementById("save-status");
      if (status) status.setAttribute("data-restored", "1");
      // Save what came back from the browser's copy (the same debounced autosave as typing).
      // After htmx has set up the form's triggers (its own DOMContentLoaded handler runs before this).
      window.setTimeout(function () {
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }, 0);
    }
    document.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail.target;
      if (target && target.id === "save-status" && target.querySelector("[data-saved]")) {
        forget(el); // the server has it; the next keystroke keeps a copy under the new version
      }
    });
  }

  // A deferred script runs before DOMContentLoaded, which is when htmx processes the page: start after it.
  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
