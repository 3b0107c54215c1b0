/* ELIP Service Map service worker (served at /sw.js, scope "/", by elip_map/api/pwa.py).
 *
 * For the newcomer pages only ("/" and "/about"): it keeps the app shell (the page, Dash's bundles,
 * our assets), the page's own callback answers (layout in the reader's language), the last locations
 * feed and neighbourhood centres, so a phone that opened the map on Wi-Fi can open it again with no
 * signal and still filter, rank and search "near" a neighbourhood or a place it searched before.
 * Staff and partner pages are never answered from here.
 *
 * Caches: "elip-shell-<release>" (dropped when a new release installs) and "elip-data" (one feed,
 * replaced whenever a newer one is fetched; its directory fingerprint travels with it; and the card
 * details the reader has seen, kept by their address, which names that fingerprint: those of an older
 * directory version are dropped when newer ones are saved; offline, any set of cards is answered from
 * all of them).
 */
"use strict";
var RELEASE = "__RELEASE__";
var SHELL = "elip-shell-" + RELEASE;
var DATA = "elip-data";
var LIGHT = ["/", "/about"];
var STATIC = ["/_dash-component-suites/", "/assets/", "/_favicon.ico", "/api/neighbourhoods.geojson", "/api/places.json"];
var SHELL_GET = ["/_dash-layout", "/_dash-dependencies"];
var FEED = "/api/locations.feed";
var DETAILS = "/api/details";

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(SHELL).then(function (c) { return c.add("/api/places.json"); }).catch(function () {}));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("elip-shell-") === 0 && k !== SHELL; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page hands over what it loaded before this worker was in charge (already in the HTTP cache).
// The first visit happens before this worker is in charge: the page hands over the addresses it
// loaded (static files come from the HTTP cache; only the page itself is asked again, 3 KB), Dash's
// layout and dependencies and the callback answers it got, so that visit alone is enough offline.
self.addEventListener("message", function (event) {
  var d = event.data || {};
  // Once everything is kept, the page is told: it can then say that it works with no signal.
  if (d.type === "keep" && Array.isArray(d.urls)) {
    event.waitUntil(keep(d.urls, d.page).then(function (whole) {
      if (whole && event.source) event.source.postMessage({ type: "kept" });
    }));
  }
  if (d.type === "answer" && typeof d.body === "string") event.waitUntil(saveAnswer(d.body, d.answer));
  if (d.type === "shell" && SHELL_GET.indexOf(d.path) !== -1) {
    event.waitUntil(caches.open(SHELL).then(function (c) {
      return c.put(d.path, new Response(d.body, { headers: { "Content-Type": "application/json" } }));
    }));
  }
  if (d.type === "texts") texts = d.texts || {};
});

// Resolves true when every part was kept (a part that failed is tried again on the next visit), so the
// page is told it works offline only when it does.
function keep(urls, page) {
  function answered(r) { return !!r && r.ok; }
  function failed() { return false; }
  return caches.open(SHELL).then(function (c) {
    var jobs = urls.filter(isStatic).map(function (u) {
      return c.match(u).then(function (hit) { return hit ? true : c.add(u).then(function () { return true; }, failed); });
    });
    urls.forEach(function (u) {
      var url = new URL(u, self.location.origin);
      if (url.pathname === FEED) jobs.push(feed(new Request(url.href), url, true).then(answered, failed));
      if (url.pathname === DETAILS) jobs.push(details(new Request(url.href), url, true).then(answered, failed));
    });
    if (page) { var p = new URL(page); if (LIGHT.indexOf(p.pathname) !== -1) jobs.push(refresh(p.href, pageKey(p))); }
    return Promise.all(jobs).then(function (done) { return done.every(Boolean); });
  }).catch(failed);
}
function refresh(url, key) {
  return caches.open(SHELL).then(function (c) {
    return c.match(key).then(function (hit) {
      return hit ? true : fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? c.put(key, r).then(function () { return true; }) : false;
      });
    });
  }).catch(function () { return false; });
}
function saveAnswer(text, answer) {
  var body = {};
  try { body = JSON.parse(text); } catch (e) { return Promise.resolve(); }
  return caches.open(DATA).then(function (c) {
    return c.put(answerKey(body, text), new Response(answer, { headers: { "Content-Type": "application/json" } }));
  });
}
function answerKey(body, text) {
  var near = nearText(body);
  return near !== null ? "/__elip/near/" + encodeURIComponent(near) : "/__elip/callback/" + hash(text);
}
var texts = {};

function path(url) { return new URL(url, self.location.origin).pathname; }
function startsWithAny(p, list) { return list.some(function (x) { return p.indexOf(x) === 0; }); }
function isStatic(url) { var u = new URL(url, self.location.origin); return u.origin === self.location.origin && startsWithAny(u.pathname, STATIC); }
function fromLightPage(request) {
  try { return LIGHT.indexOf(path(request.referrer)) !== -1; } catch (e) { return false; }
}

self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (url.origin !== self.location.origin) return;  // map tiles and the rest: the browser's business
  if (req.method === "GET") {
    if (startsWithAny(url.pathname, STATIC)) return event.respondWith(cacheFirst(req));
    if (req.mode === "navigate" && LIGHT.indexOf(url.pathname) !== -1) return event.respondWith(networkFirst(req, pageKey(url)));
    if (SHELL_GET.indexOf(url.pathname) !== -1 && fromLightPage(req)) return event.respondWith(networkFirst(req, url.pathname));
    if (url.pathname === FEED) return event.respondWith(feed(req, url));
    if (url.pathname === DETAILS) return event.respondWith(details(req, url));
    return;
  }
  if (req.method === "POST" && url.pathname === "/_dash-update-component" && fromLightPage(req)) {
    event.respondWith(callback(req));
  }
});

function pageKey(url) {
  var ui = url.searchParams.get("ui");
  return url.pathname + (ui ? "?ui=" + encodeURIComponent(ui) : "");
}

function cacheFirst(req) {
  return caches.open(SHELL).then(function (c) {
    return c.match(req).then(function (hit) {
      return hit || fetch(req).then(function (r) { if (r.ok) c.put(req, r.clone()); return r; });
    });
  });
}

function networkFirst(req, key) {
  return fetch(req).then(function (r) {
    if (r.ok) { var copy = r.clone(); caches.open(SHELL).then(function (c) { c.put(key, copy); }); }
    return r;
  }).catch(function () {
    return caches.open(SHELL).then(function (c) { return c.match(key); }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

// The feed: always asked of the server first (a 304 costs a few hundred bytes); the copy kept here is
// the newest one this phone has seen, with the date it was fetched. With "settle", the answer waits
// until the copy is saved (the page's own request does not wait for it).
function feed(req, url, settle) {
  return fetch(req).then(function (r) {
    if (!r.ok) return r;
    var copy = r.clone();
    var saving = copy.blob().then(function (body) {
      var headers = new Headers({ "Content-Type": "application/json", "X-Elip-Saved": new Date().toISOString(),
                                  "X-Elip-Version": url.searchParams.get("v") || "" });
      return caches.open(DATA).then(function (c) { return c.put(FEED, new Response(body, { headers: headers })); });
    }).catch(function () {});
    return settle ? saving.then(function () { return r; }) : r;
  }).catch(function () {
    return caches.open(DATA).then(function (c) { return c.match(FEED); }).then(function (hit) {
      if (!hit) return Response.error();
      var headers = new Headers(hit.headers);
      headers.set("X-Elip-Offline", "1");
      return hit.blob().then(function (body) { return new Response(body, { headers: headers }); });
    });
  });
}

// Card details: from the network when there is one (the browser's HTTP cache answers a known address
// at once), saved by address; offline, the saved copy. Offline, a set of cards never asked for together
// (another filter, a printout of the whole list, a pin's popup) is answered from every saved answer of
// the same directory version: the ids found, and the others listed as "missing" (the page says of those
// that they are not saved); when none is found, an error the page turns into "not saved".
function details(req, url, settle) {
  var key = url.pathname + url.search;
  return fetch(req).then(function (r) {
    if (!r.ok) return r;
    var copy = r.clone(), version = url.searchParams.get("v") || "";
    var saving = caches.open(DATA).then(function (c) {
      return c.put(key, copy).then(function () { savedIndex = null; return c.keys(); }).then(function (keys) {
        return Promise.all(keys.filter(function (k) {
          var u = new URL(k.url);
          return u.pathname === DETAILS && (u.searchParams.get("v") || "") !== version;
        }).map(function (k) { return c.delete(k); }));
      });
    }).catch(function () {});
    return settle ? saving.then(function () { return r; }) : r;
  }).catch(function () {
    return caches.open(DATA).then(function (c) { return c.match(key); }).then(function (hit) {
      return hit || composeDetails(url);
    });
  });
}
function composeDetails(url) {
  var version = url.searchParams.get("v") || "", wanted = (url.searchParams.get("ids") || "").split(",").filter(Boolean);
  return savedDetails(version).then(function (saved) {
    var found = {}, missing = [];
    wanted.forEach(function (id) { if (saved[id]) found[id] = saved[id]; else missing.push(id); });
    if (missing.length === wanted.length) return Response.error();
    return json({ details: found, missing: missing });
  }).catch(function () { return Response.error(); });
}
// Every saved card's details for one directory version, read once per offline spell (reset whenever a
// new answer is saved).
var savedIndex = null;
function savedDetails(version) {
  if (savedIndex && savedIndex.version === version) return savedIndex.promise;
  var promise = caches.open(DATA).then(function (c) {
    return c.keys().then(function (keys) {
      var mine = keys.filter(function (k) {
        var u = new URL(k.url);
        return u.pathname === DETAILS && (u.searchParams.get("v") || "") === version;
      });
      return Promise.all(mine.map(function (k) {
        return c.match(k).then(function (r) { return r ? r.json() : {}; }).catch(function () { return {}; });
      }));
    });
  }).then(function (docs) {
    var all = {};
    docs.forEach(function (doc) {
      var d = (doc && doc.details) || {}, missing = (doc && doc.missing) || [];
      Object.keys(d).forEach(function (id) { if (missing.indexOf(id) === -1) all[id] = d[id]; });
    });
    return all;
  });
  savedIndex = { version: version, promise: promise };
  promise.catch(function () { savedIndex = null; });
  return promise;
}

// Dash callbacks of the newcomer page: the same question (same body) gets the last answer when offline.
// "Near" is keyed by the place typed, and a neighbourhood never searched is placed from the centres.
function hash(text) {
  var h = 0x811c9dc5;
  for (var i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(16);
}
function fold(text) {
  return String(text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .split(/[^\p{L}\p{N}]+/u).filter(Boolean).join(" ");
}
function nearText(body) {
  if (String(body.output || "").indexOf("home-near.data") === -1) return null;
  var input = (body.inputs || []).find(function (x) { return x.id === "home-near-input"; });
  return input ? fold(input.value) : null;
}
function json(value) { return new Response(JSON.stringify(value), { headers: { "Content-Type": "application/json" } }); }

function callback(req) {
  return req.clone().text().then(function (text) {
    var body = {};
    try { body = JSON.parse(text); } catch (e) { /* not ours to read: still forwarded */ }
    var near = nearText(body), key = answerKey(body, text);
    return fetch(req).then(function (r) {
      if (r.ok && r.status === 200) { var copy = r.clone(); caches.open(DATA).then(function (c) { c.put(key, copy); }); }
      return r;
    }).catch(function () {
      return caches.open(DATA).then(function (c) { return c.match(key); }).then(function (hit) {
        if (hit) return hit;
        if (near !== null) return nearOffline(near);
        return Response.error();
      });
    });
  });
}

function nearOffline(text) {
  var none = { multi: true, response: { "home-near-message": { children: texts.nearOffline || "" } } };
  if (!text) return json({ multi: true, response: { "home-near": { data: null }, "home-near-message": { children: "" } } });
  return caches.open(SHELL).then(function (c) { return c.match("/api/places.json"); }).then(function (hit) {
    return hit ? hit.json() : [];
  }).then(function (places) {
    var found = places.find(function (p) { return fold(p.name) === text; }) ||
                places.find(function (p) { return fold(p.name).indexOf(text) === 0; });
    if (!found) return json(none);
    return json({ multi: true, response: { "home-near": { data: { lat: found.lat, lon: found.lon, label: found.name, query: text } },
                                            "home-near-message": { children: "" } } });
  }).catch(function () { return json(none); });
}
