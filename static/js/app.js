// Progressive enhancement only: every page works without this file (plain links and form posts).
//
// Focus and announcements, so a keyboard or screen reader user knows what changed:
// - a page (or an HTMX swap) that shows a form's error summary puts focus on it; its links put focus on
//   the field they name;
// - after a post and redirect, the confirmation message takes focus unless the page chose a focus itself;
// - an in-place edit's form and the saved item are focused by the server's `autofocus` (HTMX honours it);
// - a filter, sort or page link that swaps results leaves focus where it is (no stealing from the search
//   box) and says the new count in one shared polite live region.
(function () {
  "use strict";

  var liveStatus = null;

  function sharedStatus() {
    // Created once, when the first request starts: a live region added at the moment of the change is
    // not read out, and one only a script fills has no place on a page that never swaps.
    if (!liveStatus) {
      liveStatus = document.createElement("div");
      liveStatus.id = "live-status";
      liveStatus.className = "visually-hidden";
      liveStatus.setAttribute("role", "status");
      liveStatus.setAttribute("aria-live", "polite");
      (document.querySelector("main") || document.body).appendChild(liveStatus);
    }
    return liveStatus;
  }

  function announce(text) {
    var region = sharedStatus();
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!text) return;
    // Clear first, so the same count said twice (a second filter with the same result) is read again.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function focusElement(element) {
    if (!element) return;
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function errorSummaryIn(root) {
    return root && root.querySelector ? root.querySelector("[data-error-summary]") : null;
  }

  // An error summary's link: focus the field (a plain #fragment only scrolls) and show its label too.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) return;
    event.preventDefault();
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    var label = (field.id && document.querySelector("label[for='" + CSS.escape(field.id) + "']")) || legend;
    focusElement(field);
    (label || field).scrollIntoView({ block: "start" });
  });

  function focusOnLoad() {
    var summary = errorSummaryIn(document);
    if (summary) {
      focusElement(summary);
      return;
    }
    // The page (autofocus) or the address (#anchor) already said where to be.
    if (document.activeElement && document.activeElement !== document.body) return;
    if (window.location.hash) return;
    var messages = document.querySelector("main > .messages");
    if (messages) focusElement(messages);
  }

  // What a swap of results says: the region's own summary line if it has one, else its table's
  // caption (which carries the count), else its empty-state text.
  function resultSummary(region) {
    var source =
      region.querySelector("[data-announce]") || region.querySelector("caption") || region.querySelector(".empty");
    return source ? source.textContent : "";
  }

  var statusUpdated = false;
  document.addEventListener("htmx:beforeRequest", sharedStatus);
  var settled = typeof WeakSet === "function" ? new WeakSet() : null;

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    // The response updated a page's own status element (e.g. "Moved down to position 2"): that is read out.
    var target = event.detail.target;
    if (target && target.getAttribute && target.getAttribute("role") === "status") statusUpdated = true;
  });

  // htmx fires afterSettle on every new element (out-of-band ones too), after its own autofocus; act once
  // per response, on the region it targeted (after an outerHTML swap, the new element with the same id).
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    if (settled && detail.xhr) {
      if (settled.has(detail.xhr)) return;
      settled.add(detail.xhr);
    }
    var oobStatus = statusUpdated;
    statusUpdated = false;
    var region = detail.target;
    if (region && !document.body.contains(region)) region = region.id ? document.getElementById(region.id) : null;
    if (!region) return;
    var summary = errorSummaryIn(region);
    if (summary) {
      focusElement(summary);
      return;
    }
    var trigger = detail.requestConfig && detail.requestConfig.elt;
    if (oobStatus || !trigger || detail.requestConfig.verb !== "get") return;
    // Filters, sorting and pagination (a GET that replaced a results region): focus stays put, the count
    // is said. Opening an in-place form is not one: its field takes focus and is read out.
    if (!region.querySelector("form.in-place-form, [autofocus]")) announce(resultSummary(region));
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusOnLoad);
  } else {
    focusOnLoad();
  }
})();
