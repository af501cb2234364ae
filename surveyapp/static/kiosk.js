// Kiosk: after data-idle-seconds without a touch or key, go back to a blank form.
// Loading the form again (not resetting it in place) also brings a new idempotency
// key, so the next person's answers are a new response.
//
// On the form, a slow reader is asked first (WCAG 2.2.1): the #kiosk-idle dialog
// counts down the last seconds (10, or half the time when it is under 20 s), and
// "Continue" or any touch gives the full time again with the answers kept. The
// thank-you page goes back after its few seconds without asking.
(function () {
  "use strict";
  var page = document.getElementById("kiosk-form") || document.getElementById("kiosk-thanks");
  if (!page) return;
  var seconds = Number(page.getAttribute("data-idle-seconds")) || 30;
  var url = page.getAttribute("data-reset-url");
  var dialog = page.id === "kiosk-form" ? document.getElementById("kiosk-idle") : null;
  var asking = dialog && typeof dialog.showModal === "function";
  var warningSeconds = asking ? Math.min(10, Math.floor(seconds / 2)) : 0;
  var countdown = asking ? document.getElementById("kiosk-idle-countdown") : null;
  var timer = null;
  var ticker = null;
  var deadline = 0;

  function reset() { window.location.replace(url); }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    var text = dialog.getAttribute("data-countdown").replace("{seconds}", String(left));
    // Written only when it changes: a live region repeats whatever is written.
    if (countdown.textContent !== text) countdown.textContent = text;
    if (left === 0) reset();
  }

  function warn() {
    deadline = Date.now() + warningSeconds * 1000;
    tick();
    if (!dialog.open) dialog.showModal();
    ticker = window.setInterval(tick, 250);
  }

  function arm() {
    window.clearTimeout(timer);
    window.clearInterval(ticker);
    ticker = null;
    if (warningSeconds > 0) {
      timer = window.setTimeout(warn, (seconds - warningSeconds) * 1000);
    } else {
      timer = window.setTimeout(reset, seconds * 1000);
    }
  }

  // While the dialog is open, the page behind it takes no touch; the dialog ends
  // the wait itself, so that a touch closing it cannot land on an answer below.
  function activity() { if (!(dialog && dialog.open)) arm(); }

  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });
  if (asking) {
    // "Continue", Escape, or a touch beside the box: the full time again.
    dialog.addEventListener("close", arm);
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
  }
  // A page restored from the back-forward cache may hold answers: start afresh.
  window.addEventListener("pageshow", function (event) { if (event.persisted) reset(); });
  arm();
})();
