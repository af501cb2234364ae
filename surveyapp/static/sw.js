// Offline phones: the survey page, its CSS and JS open again without a connection.
// Pages are network-first (a fresh form when online) with the cached copy as the
// fallback; a cached page gets a new idempotency key each time it is shown, so two
// people answering from one cached page make two responses. It keeps the page's
// render token: only the server can make one, and the answers carry the token of
// the page they were given on (a second response with it is flagged for review).
"use strict";
// v2: pages carry a render token; older copies are dropped when this one activates.
var CACHE = "surveyapp-survey-v2";
var SURVEY_PAGE = /^\/(s|r)\/[^/]+\/?$/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("surveyapp-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The survey page sends its markup and names its CSS and JS, which are copied from
// the HTTP cache, never the network: the first visit costs no extra request.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (!Array.isArray(data.cache) || typeof data.html !== "string") return;
  var page = new URL(data.page);
  if (page.origin !== location.origin || !SURVEY_PAGE.test(page.pathname)) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var copies = data.cache.filter(function (url) {
      return new URL(url).origin === location.origin;
    }).map(function (url) {
      return fetch(url, { cache: "only-if-cached", mode: "same-origin" })
        .then(function (response) { if (response.ok) return cache.put(url, response); })
        .catch(function () {});
    });
    var headers = { "Content-Type": "text/html; charset=utf-8" };
    copies.push(cache.put(page.href, new Response(data.html, { headers: headers })));
    return Promise.all(copies);
  }));
});

function newKey() {
  var bytes = new Uint8Array(16);
  self.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) {
    return (b + 256).toString(16).slice(1);
  }).join("");
}

function withNewKey(response) {
  return response.text().then(function (html) {
    var page = html.replace(
      /(<input[^>]*name="idempotency_key"[^>]*value=")[^"]*/, "$1" + newKey()
    );
    return new Response(page, { headers: response.headers });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  var page = SURVEY_PAGE.test(url.pathname);
  if (!page && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (page && response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function (error) {
    return caches.match(request).then(function (cached) {
      if (!cached && page) return caches.match(request, { ignoreSearch: true });
      return cached;
    }).then(function (cached) {
      if (!cached) throw error;
      return page ? withNewKey(cached) : cached;
    });
  }));
});
