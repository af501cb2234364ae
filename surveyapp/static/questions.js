// The survey's questions: a bar that follows the answers, and a "Listen" button
// on each question that reads it with the phone's own voice for the page's
// language, shown only where the phone has one (no audio is downloaded). Without
// JavaScript the bar stays hidden and each part's heading says where one is.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) return;
  var synth = window.speechSynthesis;
  var language = document.documentElement.lang;

  function followAnswers() {
    var bar = form.querySelector("[role=progressbar]");
    if (!bar) return;
    var items = form.querySelectorAll(".rating[data-question]").length;
    var answered = form.querySelectorAll(".rating[data-question] :checked").length;
    bar.hidden = false;
    bar.setAttribute("aria-valuenow", answered);
    bar.querySelector(".progress-text").textContent = answered + "/" + items;
    bar.querySelector(".progress-bar").style.setProperty("--done", answered / items);
  }

  function pageVoice() {
    if (!synth || !window.SpeechSynthesisUtterance) return null;
    return synth.getVoices().filter(function (voice) {
      return voice.lang.toLowerCase().split(/[-_]/)[0] === language;
    })[0] || null;
  }

  function offerListening() {
    var voice = pageVoice();
    form.classList.toggle("can-listen", voice !== null);
    form.querySelectorAll(".listen").forEach(function (button) {
      button.hidden = voice === null;
    });
  }

  function readAloud(button) {
    var legend = button.closest("[data-question]").querySelector("legend");
    var voice = pageVoice();
    if (!legend || !voice) return;
    var utterance = new SpeechSynthesisUtterance(
      legend.textContent.replace(/\s+/g, " ").trim());
    utterance.voice = voice;
    utterance.lang = voice.lang;
    synth.cancel(); // a second tap starts the question again, not a queue
    synth.speak(utterance);
  }

  function refresh() { followAnswers(); offerListening(); }

  form.addEventListener("change", followAnswers);
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".listen");
    if (button) readAloud(button);
  });
  // survey.js put the server's answer (the form with its errors) in place.
  form.addEventListener("survey:replaced", refresh);
  // Chromium lists its voices only after this event.
  if (synth && synth.addEventListener) {
    synth.addEventListener("voiceschanged", offerListening);
  }
  refresh();
})();
