// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // After an HTMX swap, move focus to the swapped region's heading or live region
  // only when the swap was triggered by a button (not while typing in a filter).
  document.addEventListener("htmx:afterSwap", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!trigger || trigger.tagName !== "BUTTON") return;
    var target = event.detail.target;
    var focusable = target.querySelector("[data-focus-after-swap]") || null;
    if (focusable) focusable.focus();
  });
})();
