// Sending the survey, one POST each time. Online, the form is posted by fetch
// and the server's answer shown in place; with no connection it is kept in this
// browser (IndexedDB, under its idempotency key) and sent to the JSON API when
// the connection returns, and the citizen is told both times (the messages come
// from the form's data-*). Without JavaScript the form is a plain POST.
(function () {
  "use strict";
  var form = document.querySelector("form[data-api]");
  var route = location.pathname.match(/^\/(s|r)\/([^/]+)\/?$/);
  if (!form || !route) return;
  var STORE = "responses";
  var RETRY_MS = 30000;
  var sending = false;
  var flushing = false;

  function message(name) { return form.getAttribute("data-offline-" + name); }

  function say(text) {
    var box = document.getElementById("offline-status");
    if (!box) {
      box = document.createElement("p");
      box.id = "offline-status";
      box.className = "offline-status";
      box.setAttribute("role", "status");
      box.tabIndex = -1;
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text;
    box.focus();
  }

  // One IndexedDB transaction on the queue; resolves with the request's result.
  function queue(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("surveyapp-offline", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore(STORE, { keyPath: "idempotency_key" });
      };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result;
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      };
    });
  }

  // The form as the JSON API's body: {"A1": 4, "B2": "na", ...}.
  function payload() {
    var data = new FormData(form);
    var answers = {};
    data.forEach(function (value, name) {
      if (name.indexOf("c_") === 0) {
        answers[name.slice(2)] = value === "na" ? "na" : Number(value);
      }
    });
    return {
      kind: route[1] === "r" ? "receipt" : "counter",
      token: decodeURIComponent(route[2]),
      idempotency_key: data.get("idempotency_key"),
      service_field: data.get("service_field") || "",
      answers: answers,
      comment: data.get("comment") || "",
      // The page's language, one of LANGUAGES: the server checks it.
      language: document.documentElement.lang || "vi",
      // The token of the page these answers were given on, even when it was a
      // copy kept offline: it tells a shown form from a script.
      render_token: data.get("render_token") || ""
    };
  }

  function keep(item) {
    var rated = Object.keys(item.answers).some(function (code) {
      return item.answers[code] >= 1 && item.answers[code] <= 5;
    });
    if (!item.service_field || !rated) {
      sending = false;
      say(message("invalid"));
      return;
    }
    queue("readwrite", function (store) { return store.put(item); }).then(
      function () {
        form.hidden = true;
        say(message("saved"));
        window.setTimeout(flush, RETRY_MS);
      },
      function () { sending = false; form.submit(); } // no IndexedDB: plain POST
    );
  }

  function send(item) {
    return fetch(form.getAttribute("data-api"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(item),
      credentials: "same-origin"
    }).then(
      function (response) {
        var retry = response.status >= 500 || response.status === 429 ||
          response.status === 408;
        if (retry) return "retry";
        // Stored (201), already stored (200), or refused for good (4xx): done.
        return queue("readwrite", function (store) {
          return store.delete(item.idempotency_key);
        }).then(function () { return response.ok ? "sent" : "dropped"; });
      },
      function () { return "retry"; }
    );
  }

  function flush() {
    if (flushing || !window.indexedDB) return;
    flushing = true;
    queue("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.reduce(function (done, item) {
        return done.then(function (results) {
          return send(item).then(function (result) { return results.concat(result); });
        });
      }, Promise.resolve([]));
    }).then(function (results) {
      flushing = false;
      if (results.indexOf("sent") >= 0) say(message("sent"));
      if (results.indexOf("retry") >= 0) window.setTimeout(flush, RETRY_MS);
    }, function () { flushing = false; });
  }

  // The server's answer in place of the page: the form again with its errors
  // (in the same form element, which keeps its listeners), or the page it led
  // to, such as the thank-you page, at its own address.
  function show(response, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var again = page.querySelector("form[data-api]");
    sending = false;
    if (again && !response.redirected) {
      form.innerHTML = again.innerHTML;
      form.dispatchEvent(new Event("survey:replaced"));
      var errors = document.getElementById("form-errors");
      if (errors) errors.focus();
      return;
    }
    if (response.redirected) history.replaceState(null, "", response.url);
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    var heading = document.querySelector("main h1") || document.querySelector("h1");
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return; // a double tap
    sending = true;
    var item = payload();
    if (!window.indexedDB) { form.submit(); return; }
    if (navigator.onLine === false) { keep(item); return; }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.status >= 500) { keep(item); return; }
        // A body cut off on the way: the idempotency key makes the resend harmless.
        response.text().then(function (html) { show(response, html); },
          function () { keep(item); });
      }, function () { keep(item); });
  });

  window.addEventListener("online", flush);
  flush();

  // The worker keeps this page for offline use: its markup as parsed (before any
  // answer), and its CSS and JS, which it copies from the HTTP cache. A form sent
  // back with errors holds someone's answers: never keep that one.
  var html = "<!doctype html>\n" + document.documentElement.outerHTML;
  var blank = !document.getElementById("form-errors") && !form.querySelector("[checked]");
  if ("serviceWorker" in navigator && blank) {
    navigator.serviceWorker.register(form.getAttribute("data-sw"), { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        var urls = [];
        document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (el) {
          urls.push(el.href || el.src);
        });
        registration.active.postMessage({ page: location.href.split("#")[0], html: html, cache: urls });
      })
      .catch(function () {});
  }
})();
