// League Badge: the card's service worker (served at /l/<league>/players/card-sw.js).
//
// It keeps the last copy of each player card page opened on this phone, and what the
// page needs (styles, scripts, logo, photo), so the card still opens at a field without
// signal. Card pages go to the network first; when it fails, answers an error or is too
// slow, the saved copy is served, marked data-source="cache" so the page says how old
// it is. Nothing else in its scope is touched: other pages go to the network as usual.
"use strict";

var CACHE = "lb-card-v1";
var CARD_PAGE = /\/players\/\d+\/card$/;
var KEPT_ASSET = /^\/static\/|\/logo$|\/theme\.css$|^\/v\/[^/]+\/photo$/;
var NETWORK_WAIT_MS = 4000; // then show the saved copy, and keep waiting for a fresh one

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("lb-card-") === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function pageKey(url) {
  var parsed = new URL(url, self.location.href);
  return parsed.origin + parsed.pathname;
}

// Store a fresh card page; forget it when the server says it is gone or asks to sign in.
function remember(cache, key, response) {
  if (response.status === 200 && response.type === "basic" && !response.redirected) {
    return cache.put(key, response);
  }
  if (response.type === "opaqueredirect" || response.redirected || response.status === 404) {
    return cache.delete(key);
  }
  return Promise.resolve();
}

// The saved copy, marked so that card.js shows when it was last updated.
function savedCopy(key) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key, { ignoreVary: true });
  }).then(function (hit) {
    if (!hit) return null;
    return hit.text().then(function (html) {
      var headers = new Headers(hit.headers);
      headers.delete("Content-Length");
      var marked = html.replace('data-source="network"', 'data-source="cache"');
      return new Response(marked, { status: 200, statusText: "OK", headers: headers });
    });
  });
}

function notSavedYet() {
  var html = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>Offline</title><body><h1>You are offline</h1>" +
    "<p>This card has not been saved on this phone yet. Open it once with a connection " +
    "and it will be here next time, even without signal.</p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function cardPage(event) {
  var key = pageKey(event.request.url);
  var network = fetch(event.request).then(function (response) {
    var copy = response.clone();
    return { response: response, stored: caches.open(CACHE).then(function (cache) {
      return remember(cache, key, copy);
    }) };
  });
  event.waitUntil(network.then(function (got) { return got.stored; }, function () {}));

  return new Promise(function (resolve) {
    var done = false;
    function answer(response) {
      if (!done && response) {
        done = true;
        resolve(response);
      }
    }
    var slow = setTimeout(function () { savedCopy(key).then(answer); }, NETWORK_WAIT_MS);
    network.then(function (got) {
      clearTimeout(slow);
      if (got.response.status >= 500) {
        // The server is struggling: the saved copy, if any, beats an error page.
        return savedCopy(key).then(function (copy) { answer(copy || got.response); });
      }
      answer(got.response);
    }, function () {
      clearTimeout(slow);
      savedCopy(key).then(function (copy) { answer(copy || notSavedYet()); });
    });
  });
}

// Kept assets: from the saved copy when there is one (versioned files never change;
// the photo and logo are refreshed behind the scenes), else from the network.
function keptAsset(event) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(event.request, { ignoreVary: true }).then(function (hit) {
      if (!hit) return fetch(event.request);
      if (new URL(event.request.url).searchParams.get("v") === null) {
        event.waitUntil(fetch(event.request).then(function (response) {
          if (response.ok) return cache.put(event.request, response);
        }).catch(function () {}));
      }
      return hit;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (CARD_PAGE.test(url.pathname)) event.respondWith(cardPage(event));
    return;
  }
  if (KEPT_ASSET.test(url.pathname)) event.respondWith(keptAsset(event));
});

// card.js, on each visit: keep this page (if the worker did not serve it) and its assets;
// drop static files no card page uses any more (an older version of the stylesheet).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep-card" || !Array.isArray(data.assets)) return;
  var assets = data.assets.filter(function (asset) {
    return asset.indexOf(self.location.origin + "/") === 0;
  });
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var jobs = assets.map(function (asset) {
      return cache.match(asset, { ignoreVary: true }).then(function (hit) {
        return hit || cache.add(asset).catch(function () {});
      });
    });
    if (data.fetchPage && data.page && CARD_PAGE.test(new URL(data.page).pathname)) {
      var key = pageKey(data.page);
      jobs.push(fetch(key, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
        return remember(cache, key, response);
      }).catch(function () {}));
    }
    return Promise.all(jobs).then(function () { return cache.keys(); }).then(function (requests) {
      return Promise.all(requests.filter(function (old) {
        return new URL(old.url).pathname.indexOf("/static/") === 0 && assets.indexOf(old.url) === -1;
      }).map(function (old) { return cache.delete(old); }));
    });
  }));
});
