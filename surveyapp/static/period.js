// The period form shows only the controls of the chosen kind of period. The
// others are hidden and disabled, so their stale values are not sent. Without
// JavaScript every control shows, and the server reads only the ones it needs.
(function () {
  "use strict";
  function follow(form) {
    var kind = form.querySelector("#period").value;
    form.querySelectorAll("[data-period-kinds]").forEach(function (box) {
      var shown = box.getAttribute("data-period-kinds").split(" ").indexOf(kind) >= 0;
      box.hidden = !shown;
      box.querySelectorAll("input, select").forEach(function (control) {
        control.disabled = !shown;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.period-form");
    if (!form) return;
    follow(form);
    form.querySelector("#period").addEventListener("change", function () {
      follow(form);
    });
  });
})();
