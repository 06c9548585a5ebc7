// Progressive enhancement: a "Print" button shown only where JavaScript can print.
// Without it the page prints the same from the browser's own Print command.
(function () {
  "use strict";
  document.querySelectorAll("[data-print-button]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
