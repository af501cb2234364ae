// Kiosk: after data-idle-seconds without a touch or key, go back to a blank form.
// Loading the form again (not resetting it in place) also brings a new idempotency
// key, so the next person's answers are a new response.
(function () {
  "use strict";
  // The form, or the thank-you page (which goes back after a few seconds).
  var page = document.getElementById("kiosk-form") || document.getElementById("kiosk-thanks");
  if (!page) return;
  var seconds = Number(page.getAttribute("data-idle-seconds")) || 30;
  var url = page.getAttribute("data-reset-url");
  var timer = null;
  function reset() { window.location.replace(url); }
  function arm() {
    window.clearTimeout(timer);
    timer = window.setTimeout(reset, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, arm, { capture: true, passive: true });
  });
  // A page restored from the back-forward cache may hold answers: start afresh.
  window.addEventListener("pageshow", function (event) { if (event.persisted) reset(); });
  arm();
})();
