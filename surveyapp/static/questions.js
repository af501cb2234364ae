// The questions: a bar that follows the answers (without JavaScript it stays
// hidden, and each part's heading says where one is), and a "Listen" button on
// each question, read by the phone's own voice for the page's language: only
// where the phone has one, and no audio to download.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) return;
  var synth = window.speechSynthesis;

  function followAnswers() {
    var bar = form.querySelector("[role=progressbar]");
    if (!bar) return;
    var items = form.querySelectorAll(".rating").length;
    var answered = form.querySelectorAll(".rating :checked").length;
    bar.hidden = false;
    bar.setAttribute("aria-valuenow", answered);
    bar.querySelector(".progress-text").textContent = answered + "/" + items;
    bar.querySelector(".progress-bar").style.setProperty("--done", answered / items);
  }

  function pageVoice() {
    var language = document.documentElement.lang;
    return (synth ? synth.getVoices() : []).filter(function (voice) {
      return voice.lang.split(/[-_]/)[0].toLowerCase() === language;
    })[0];
  }

  // The page's one button, copied beside each question once there is a voice.
  function offerListening() {
    var button = document.getElementById("listen-button");
    if (!button || !pageVoice()) return;
    form.classList.add("can-listen");
    form.querySelectorAll(".rating > legend:first-child").forEach(function (legend) {
      if (!legend.nextElementSibling.matches(".listen")) {
        var copy = button.content.firstElementChild.cloneNode(true);
        // Sixteen buttons called "Listen": each says which question it reads.
        copy.setAttribute("aria-describedby", legend.id);
        legend.after(copy);
      }
    });
  }

  function readAloud(button) {
    var voice = pageVoice();
    var text = button.previousElementSibling.textContent.replace(/\s+/g, " ");
    var utterance = new SpeechSynthesisUtterance(text.trim());
    utterance.voice = voice;
    utterance.lang = voice.lang;
    synth.cancel(); // a second tap starts the question again, not a queue
    synth.speak(utterance);
  }

  function refresh() { followAnswers(); offerListening(); }

  form.addEventListener("change", followAnswers);
  form.addEventListener("click", function (event) {
    if (event.target.matches(".listen")) readAloud(event.target);
  });
  // survey.js put the form the server sent back (with its errors) in place.
  form.addEventListener("survey:replaced", refresh);
  // Chromium lists its voices only after this event (older Safari lists them at
  // once, and its speechSynthesis takes no listeners).
  if (synth && synth.addEventListener) {
    synth.addEventListener("voiceschanged", offerListening);
  }
  refresh();
})();
