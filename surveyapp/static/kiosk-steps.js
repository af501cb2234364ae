// Kiosk: one question per screen, for someone who has never seen the form.
// Every [data-question] is a screen (the service field, then each statement), the
// comment and the send button the last. The page without this script shows them
// all, one below the other: the script only adds a class that hides the others,
// and unhides the progress and the Back/Next buttons the template holds hidden.
(function () {
  "use strict";
  var form = document.getElementById("kiosk-form");
  if (!form) return;
  // The outermost marked element is the screen, however the markup nests them.
  var screens = Array.prototype.slice.call(
    form.querySelectorAll("[data-question], [data-last-step]")
  ).filter(function (element) {
    return !element.parentElement.closest("[data-question]");
  });
  var questions = screens.length - 1;
  var progress = form.querySelector(".kiosk-progress");
  var progressText = document.getElementById("kiosk-progress-text");
  var progressBar = document.getElementById("kiosk-progress-bar");
  var nav = form.querySelector(".kiosk-nav");
  var back = form.querySelector(".kiosk-back");
  var next = form.querySelector(".kiosk-next");
  if (questions < 1 || !progress || !nav) return;
  var current = 0;

  function progressLabel(index) {
    if (index >= questions) return form.getAttribute("data-last-step");
    return form.getAttribute("data-progress")
      .replace("{number}", String(index + 1)).replace("{total}", String(questions));
  }

  function show(index, moveFocus) {
    current = Math.max(0, Math.min(index, screens.length - 1));
    screens.forEach(function (screen, position) {
      screen.classList.toggle("is-current", position === current);
    });
    // A factor's heading shows with its own statements only.
    form.querySelectorAll("section.factor").forEach(function (section) {
      section.classList.toggle("is-current", !!section.querySelector(".is-current"));
    });
    progressText.textContent = progressLabel(current);
    progressBar.value = Math.min(current + 1, questions);
    back.disabled = current === 0;
    next.hidden = current === screens.length - 1;
    if (moveFocus) {
      // The new question is read out and the next Tab lands in it.
      window.scrollTo(0, 0);
      screens[current].focus({ preventScroll: true });
    }
  }

  screens.forEach(function (screen) { screen.tabIndex = -1; });
  progressBar.max = questions;
  nav.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-step]");
    if (button) show(current + Number(button.getAttribute("data-step")), true);
  });
  form.classList.add("kiosk-steps");
  progress.hidden = false;
  nav.hidden = false;
  // Sent back with a problem: start at the first question that has one.
  var firstError = screens.findIndex(function (screen) {
    return !!screen.querySelector(".has-error");
  });
  show(firstError < 0 ? 0 : firstError, firstError >= 0);
})();
