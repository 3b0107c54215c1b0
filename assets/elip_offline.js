/* ELIP Service Map: works offline (service worker at /sw.js) and says when results are a saved copy.
 *
 * window.elip.feed.fetch(url)  the locations feed for fetchData (assets/elip_map.js); when the service
 *                              worker answered from the copy saved on this phone (no network), the
 *                              note #home-offline shows the date that copy was fetched.
 * On the newcomer pages the worker is registered after the page has loaded, and handed the address of
 * everything the page loaded, so the next visit works with no signal; it answers when all is kept.
 */
(function () {
  "use strict";
  var ns = (window.elip = window.elip || {});
  var feed = (ns.feed = ns.feed || {});
  var LIGHT = ["/", "/about"];

  feed.savedNote = function (template, iso, lang) {
    var date = new Date(iso);
    var text = isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(lang || "en", { dateStyle: "medium", timeStyle: "short" }).format(date);
    return template.replace("{date}", text);
  };
  function showOffline(saved) {
    var note = document.getElementById("home-offline");
    if (!note) return setTimeout(function () { showOffline(saved); }, 50);
    if (!saved) { note.hidden = true; return; }
    note.textContent = feed.savedNote(note.getAttribute("data-saved") || "{date}", saved, document.documentElement.lang);
    note.hidden = false;
  }
  feed.fetch = function (url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      var offline = r.headers.get("X-Elip-Offline") === "1";
      showOffline(offline ? (r.headers.get("X-Elip-Saved") || "") : null);
      return r.json();
    });
  };

  // Neighbourhood outlines (25 KB) are asked for only when the map is on screen: on a phone the list
  // comes first and many readers never open the map.
  var dc = (window.dash_clientside = window.dash_clientside || {});
  dc.elip_lowdata = {
    outlines: function (toggles, url) {
      var mapShown = (toggles || 0) % 2 === 1 || window.matchMedia("(min-width: 800px)").matches;
      return url && mapShown ? url : dc.no_update;
    },
  };

  if (!("serviceWorker" in navigator) || LIGHT.indexOf(window.location.pathname) === -1) return;
  // Callback answers of this visit, handed to the worker once it is running (it keeps them for offline).
  var worker = null, pending = [];
  function handOver(message) { if (worker) worker.postMessage(message); else pending.push(message); }
  var plainFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var promise = plainFetch.apply(this, arguments);
    if (navigator.serviceWorker.controller) return promise;  // the worker sees these itself
    if (url.indexOf("_dash-update-component") !== -1 && init && init.method === "POST" && typeof init.body === "string") {
      promise.then(function (r) {
        if (r.status === 200) r.clone().text().then(function (answer) { handOver({ type: "answer", body: init.body, answer: answer }); });
      }).catch(function () {});
    } else if (/\/_dash-(layout|dependencies)$/.test(url.split("?")[0])) {
      promise.then(function (r) {
        if (r.status === 200) r.clone().text().then(function (text) { handOver({ type: "shell", path: new URL(url, location.href).pathname, body: text }); });
      }).catch(function () {});
    }
    return promise;
  };
  // The worker says when this visit is kept whole (page, bundles, feed, answers): from then on the
  // page opens with no signal. Marked on <html data-offline-ready> for styles and for tests.
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "kept") document.documentElement.setAttribute("data-offline-ready", "true");
  });
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var send = function () {
        var note = document.getElementById("home-offline");
        var urls = performance.getEntriesByType("resource").map(function (e) { return e.name; })
          .filter(function (u) { return u.indexOf(window.location.origin) === 0; });
        worker = reg.active;
        pending.splice(0).forEach(function (m) { worker.postMessage(m); });
        worker.postMessage({ type: "keep", urls: urls, page: window.location.href });
        if (note) worker.postMessage({ type: "texts", texts: { nearOffline: note.getAttribute("data-near") || "" } });
      };
      setTimeout(send, 1500);  // late chunks (dropdown, map layers) are loaded by then
    }).catch(function () { /* no worker (private mode, old browser): the page works online as before */ });
  });
})();
