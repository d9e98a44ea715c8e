/* The lobby screen's service worker (served at /kiosk/sw.js, scope /kiosk/, with its
   version and asset list written in by activities.kiosk.views.service_worker).

   The screen keeps showing its programme when the network or the server is down, and
   comes back from this cache after a power cut: pages and data are fetched from the
   network first, and the last good answer is kept and given when the network fails
   (marked X-Kiosk-From-Cache, so the screen says 离线). A new deployment brings a new
   version: it installs, takes over at once and the screen reloads into it.

   The honor board's photos (renditions: a new picture gets a new address) are kept in a
   cache of their own that outlives deployments: taken from the cache first, fetched and
   kept otherwise; the screen lists the current ones ("keep-images") and the others go. */
"use strict";

var VERSION = "__KIOSK_VERSION__";
var ASSETS = ["__KIOSK_ASSETS__"];
var CACHE = "kiosk-" + VERSION;
var IMAGES = "kiosk-images";
var DATA_PATH = /^\/api\/kiosks\/[^/]+\/[^/]+\/data$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("kiosk-") === 0 && name !== CACHE && name !== IMAGES;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

/* The page asks to keep its own address and its data (it was loaded before this worker
   controlled it, so neither passed through here yet). */
self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === "keep-images") { event.waitUntil(keepImages(message.urls || [])); return; }
  if (message.type !== "keep") return;
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all((message.urls || []).map(function (url) {
        return fetch(url, { cache: "no-store", credentials: "omit" }).then(function (response) {
          if (response.ok) return cache.put(withoutToken(url), response);
        }).catch(function () { /* offline: keep what the cache has */ });
      }));
    })
  );
});

/* Keeps the listed images (fetching those not kept yet) and drops the rest. */
function keepImages(urls) {
  var wanted = urls.map(function (url) { return new URL(url, self.location.href).href; });
  return caches.open(IMAGES).then(function (cache) {
    return cache.keys().then(function (kept) {
      var have = kept.map(function (request) { return request.url; });
      var drops = have.filter(function (url) { return wanted.indexOf(url) === -1; })
        .map(function (url) { return cache.delete(url); });
      var adds = wanted.filter(function (url) { return have.indexOf(url) === -1; })
        .map(function (url) {
          return fetch(url, { credentials: "omit" }).then(function (response) {
            if (response.ok) return cache.put(url, response);
          }).catch(function () { /* offline: next time */ });
        });
      return Promise.all(drops.concat(adds));
    });
  });
}

/* An image: the kept copy, else the network (and kept: the screen trims the list). */
function imageFirstFromCache(event) {
  var request = event.request;
  return caches.open(IMAGES).then(function (cache) {
    return cache.match(request.url).then(function (found) {
      if (found) return found;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") {
          var copy = response.clone();
          event.waitUntil(cache.put(request.url, copy));
        }
        return response;
      });
    });
  });
}

function withoutToken(url) {
  var parsed = new URL(url, self.location.href);
  parsed.searchParams.delete("token");
  parsed.hash = "";
  return parsed.href;
}

function fromCache(request, mark) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(withoutToken(request.url)).then(function (found) {
      return found || cache.match(withoutToken(request.url), { ignoreSearch: true });
    });
  }).then(function (found) {
    if (!found) return Response.error();
    if (!mark) return found;
    var headers = new Headers(found.headers);
    headers.set("X-Kiosk-From-Cache", "1");
    return found.blob().then(function (body) {
      return new Response(body, { status: found.status, statusText: found.statusText, headers: headers });
    });
  });
}

/* Network first; the last good answer is kept for the next failure. */
function networkFirst(event, mark) {
  var request = event.request;
  return fetch(request).then(function (response) {
    if (response.status === 200) {
      // Only a full answer is kept: a 304 leaves the last kept copy as it is.
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) {
        return cache.put(withoutToken(request.url), copy);
      }));
      return response;
    }
    if (response.status === 304 || response.status < 500) return response;
    return fromCache(request, mark).then(function (cached) {
      return cached.type === "error" ? response : cached;
    });
  }).catch(function () {
    return fromCache(request, mark);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // the heartbeat goes straight to the network
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf("/kiosk/") === 0) {
    event.respondWith(networkFirst(event, false));
  } else if (DATA_PATH.test(url.pathname)) {
    event.respondWith(networkFirst(event, true));
  } else if (request.destination === "image") {
    event.respondWith(imageFirstFromCache(event));
  } else if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (found) { return found || fetch(request); });
    }));
  }
});
