/* ELIP Service Map: the newcomer page's browser code.
 *
 * window.elip.map.*            pure helpers (filter predicate, ranking) and Leaflet function props;
 *                              elip_map/filters.py is the Python twin of matches() and rankFeatures().
 * window.dash_clientside.elip_map.*   clientside callbacks: filtering happens here, with no server
 *                              round trip, and the list and the map are always built from one result.
 * Listing text is never handed to Leaflet as HTML: the list is made of Dash components (React escapes
 * text) and markers carry no popup or tooltip.
 */
(function () {
  "use strict";
  var ns = (window.elip = window.elip || {});
  var m = (ns.map = ns.map || {});

  // ---- predicate (twin of elip_map/filters.py) ------------------------------------------------
  var SPLIT = /[^\p{L}\p{N}]+/u;
  m.normalize = function (text) {
    if (!text) return "";
    var plain = String(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return plain.split(SPLIT).filter(Boolean).join(" ");
  };
  m.editDistance = function (a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var before = null, prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var cur = [i], best = i;
      for (j = 1; j <= b.length; j++) {
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2] + 1);
        cur.push(v);
        if (v < best) best = v;
      }
      if (best > limit && (!before || Math.min.apply(null, prev) > limit)) return limit + 1;
      before = prev;
      prev = cur;
    }
    return prev[b.length] <= limit ? prev[b.length] : limit + 1;
  };
  m.allowedTypos = function (token) { return token.length < 4 ? 0 : token.length < 8 ? 1 : 2; };
  m.tokenMatches = function (token, words) {
    var limit = m.allowedTypos(token);
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w.startsWith(token)) return true;
      if (limit) {
        if (m.editDistance(token, w, limit) <= limit) return true;
        if (w.length > token.length && m.editDistance(token, w.slice(0, token.length), limit) <= limit) return true;
      }
    }
    return false;
  };
  m.textMatches = function (query, haystack) {
    var tokens = m.normalize(query).split(" ").filter(Boolean);
    if (!tokens.length) return true;
    var words = (haystack || "").split(" ");
    return tokens.every(function (t) { return m.tokenMatches(t, words); });
  };
  m.isOpen = function (hours, weekday, minutes) {
    return (hours || []).some(function (h) { return h[0] === weekday && h[1] <= minutes && minutes < h[2]; });
  };
  function anyIn(values, wanted) {
    for (var i = 0; i < (values || []).length; i++) if (wanted.indexOf(values[i]) !== -1) return true;
    return false;
  }
  m.matches = function (props, criteria) {
    var c = criteria || {};
    if (c.types && c.types.length && !anyIn(props.types, c.types)) return false;
    if (c.langs && c.langs.length && !anyIn(props.langs, c.langs)) return false;
    if (c.hood && String(props.hood || "") !== String(c.hood)) return false;
    if (c.q && !m.textMatches(c.q, props.text || "")) return false;
    var hours = props.hours || [];
    if (c.day && !hours.some(function (h) { return h[0] === Number(c.day); })) return false;
    if (c.open_now) {
      var now = c.now || {};
      if (!m.isOpen(hours, Number(now.weekday || 0), Number(now.minutes === undefined ? -1 : now.minutes))) return false;
    }
    return true;
  };
  m.distanceKm = function (lat1, lon1, lat2, lon2) {
    var R = 6371.0088, rad = Math.PI / 180;
    var p1 = lat1 * rad, p2 = lat2 * rad, dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
    var a = Math.pow(Math.sin(dp / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
  };
  function bySort(a, b) { var x = a.f.properties.sort || "", y = b.f.properties.sort || ""; return x < y ? -1 : x > y ? 1 : 0; }
  m.rankFeatures = function (features, criteria, near) {
    var out = [];
    for (var i = 0; i < features.length; i++) {
      var f = features[i];
      if (!m.matches(f.properties, criteria)) continue;
      var d = null;
      if (near) d = m.distanceKm(near.lat, near.lon, f.geometry.coordinates[1], f.geometry.coordinates[0]);
      out.push({ f: f, d: d });
    }
    out.sort(near ? function (a, b) { return a.d - b.d || bySort(a, b); } : bySort);
    return out;
  };
  // Weekday and minutes in Edmonton, whatever the phone's own time zone is.
  var edmontonClock = null;
  m.edmontonNow = function (date) {
    edmontonClock = edmontonClock || new Intl.DateTimeFormat("en-US", { timeZone: "America/Edmonton", weekday: "short",
      hour: "numeric", minute: "numeric", hourCycle: "h23" });
    var parts = edmontonClock.formatToParts(date || new Date());
    var get = function (t) { return (parts.find(function (p) { return p.type === t; }) || {}).value; };
    var days = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
    return { weekday: days[get("weekday")], minutes: Number(get("hour")) * 60 + Number(get("minute")) };
  };

  // ---- Leaflet function props (referenced by name from Python) ---------------------------------
  m.pointToLayer = function (feature, latlng) {
    return L.circleMarker(latlng, { radius: 9, weight: 2, color: "#ffffff", fillColor: "#0b5cad", fillOpacity: 0.95 });
  };
  m.selectedToLayer = function (feature, latlng) {
    return L.circleMarker(latlng, { radius: 13, weight: 4, color: "#b3261e", fillColor: "#ffd400", fillOpacity: 1 });
  };
  m.nearToLayer = function (feature, latlng) {
    return L.circleMarker(latlng, { radius: 7, weight: 3, color: "#ffffff", fillColor: "#b3261e", fillOpacity: 1 });
  };
  m.hoodStyle = function () { return { color: "#5a4b8a", weight: 1.2, fill: false, opacity: 0.8 }; };

  // ---- list cards: plain DOM, text only ----------------------------------------------------------
  // Built with textContent (never innerHTML), so listing text can never become markup. Written straight
  // into the list instead of through Dash props: 50 cards as Dash components cost Dash 4 whole seconds
  // per filter change (bench/bench_filter.py), plain DOM costs a few milliseconds.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]); });
    (Array.isArray(children) ? children : [children]).forEach(function (c) {
      if (c === null || c === undefined || c === "") return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function safeHref(url) { return /^https?:\/\//i.test(url || "") ? url : null; }
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }
  function hm(mins) {
    var hh = Math.floor(mins / 60), mm = mins % 60;
    return hh + ":" + (mm < 10 ? "0" : "") + mm;
  }
  m.formatHours = function (hours, days) {
    return (hours || []).map(function (r) { return days[r[0] - 1] + " " + hm(r[1]) + "–" + hm(r[2]); }).join(", ");
  };
  var kmFormats = {};
  m.formatKm = function (km, ui) {  // formatters are costly to build: one per language
    kmFormats[ui] = kmFormats[ui] || new Intl.NumberFormat(ui, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    return kmFormats[ui].format(km);
  };
  m.directionsUrl = function (lat, lon) {
    // Google's universal URL opens the phone's maps app on Android and iOS, and the web elsewhere.
    return "https://www.google.com/maps/dir/?api=1&destination=" + lat.toFixed(5) + "%2C" + lon.toFixed(5);
  };
  m.card = function (f, dist, labels, selected) {
    var p = f.properties, t = labels.t, c = f.geometry.coordinates;
    var rows = [];
    function row(label, value) { if (value && (!Array.isArray(value) || value.length)) { rows.push(el("dt", {}, label)); rows.push(el("dd", {}, value)); } }
    var typeNames = (p.types || []).map(function (s) { return labels.types[s] || s; }).join(", ");
    row(t["Services"], [typeNames, (p.services || []).length ? el("span", { "class": "elip-card-services" }, " · " + p.services.join(" · ")) : null]);
    row(t["Languages"], (p.langs || []).map(function (code) { return labels.langs[code] || code; }).join(", "));
    var hours = m.formatHours(p.hours, labels.days);
    row(t["Hours"], [hours, p.hours_note].filter(Boolean).join(" · ") || t["Hours not known"]);
    row(t["Accessibility"], p.accessibility);
    row(t["Eligibility"], p.eligibility);
    row(t["Fees"], p.fees);
    var actions = (p.phones || []).map(function (ph) {
      return el("a", { href: "tel:" + String(ph.tel).replace(/[^+\d]/g, ""), "class": "elip-action" },
                fmt(t["Call {phone}"], { phone: ph.display + (ph.ext ? " ext. " + ph.ext : "") }));
    });
    if (safeHref(p.website)) actions.push(el("a", { href: p.website, "class": "elip-action", target: "_blank", rel: "noopener noreferrer" }, t["Website"]));
    actions.push(el("a", { href: m.directionsUrl(c[1], c[0]), "class": "elip-action", target: "_blank", rel: "noopener noreferrer" }, t["Directions"]));
    actions.push(el("button", { type: "button", "class": "elip-action elip-show", "data-show": p.id }, t["Show on map"]));
    var children = [
      el("h3", { "class": "elip-card-org" }, p.organization || ""),
      p.name ? el("p", { "class": "elip-card-name" }, p.name) : null,
      dist === null || dist === undefined ? null : el("p", { "class": "elip-card-distance" }, fmt(t["{km} km away"], { km: m.formatKm(dist, labels.ui) })),
      p.address ? el("p", { "class": "elip-card-address" }, p.address) : null,
      el("dl", { "class": "elip-card-facts" }, rows),
      el("p", { "class": "elip-card-actions" }, actions),
      el("p", { "class": "elip-card-verified" }, p.last_verified ? fmt(t["Last verified: {date}"], { date: p.last_verified }) : t["Not verified yet"]),
    ];
    return el("li", { "class": "elip-card" + (selected === p.id ? " is-selected" : ""), "data-location-id": p.id }, el("article", {}, children));
  };
  // The list may not be in the page yet on the very first render: retry on the next frames.
  m.writeList = function (items, tries) {
    var ol = document.getElementById("home-results");
    if (!ol) { if ((tries || 0) < 60) requestAnimationFrame(function () { m.writeList(items, (tries || 0) + 1); }); return; }
    ol.replaceChildren.apply(ol, items);
  };

  // ---- clientside callbacks ------------------------------------------------------------------
  var dc = (window.dash_clientside = window.dash_clientside || {});
  var nu = function () { return dc.no_update; };

  m.criteria = function (types, langs, hood, q, openNow, day) {
    return { types: types || [], langs: langs || [], hood: hood || null, q: q || "",
             open_now: !!(openNow && openNow.length), day: day ? Number(day) : null, now: m.edmontonNow() };
  };

  m.boundsOf = function (ranked, near, count) {
    var pts = ranked.slice(0, count).map(function (r) { return [r.f.geometry.coordinates[1], r.f.geometry.coordinates[0]]; });
    if (near) pts.push([near.lat, near.lon]);
    if (!pts.length) return null;
    var lats = pts.map(function (p) { return p[0]; }), lons = pts.map(function (p) { return p[1]; });
    var pad = 0.004;
    return [[Math.min.apply(null, lats) - pad, Math.min.apply(null, lons) - pad],
            [Math.max.apply(null, lats) + pad, Math.max.apply(null, lons) + pad]];
  };

  dc.elip_map = {
    fetchData: function (url) {
      if (!url) return nu();
      // The collection stays in this page's memory, outside Dash's props: handing megabytes through the
      // renderer on every filter change cost seconds; only a small handle goes into the dcc.Store.
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (collection) {
        m.collections = m.collections || {};
        m.collections[url] = collection;
        // The map needs only the point and the id: a light copy keeps each update small for Dash to pass on.
        (collection.features || []).forEach(function (f) {
          f.light = { type: "Feature", id: f.properties.id, geometry: f.geometry, properties: { id: f.properties.id } };
        });
        return { url: url, n: (collection.features || []).length };
      }).catch(function () { return { url: url, n: 0, error: true }; });
    },
    render: function (data, types, langs, hood, q, openNow, day, near, limit, labels) {
      var t0 = performance.now();
      var t = labels.t;
      if (!data) return [nu(), "…", { display: "none" }, { display: "none" }, nu(), t["Loading services…"]];
      var collection = (m.collections || {})[data.url] || { features: [] };
      var ranked = m.rankFeatures(collection.features || [], m.criteria(types, langs, hood, q, openNow, day), near);
      var mapData = { type: "FeatureCollection", features: ranked.map(function (r) { return r.f.light || r.f; }) };
      var shown = ranked.slice(0, limit || 50);
      var selected = m.selectedId || null;
      m.writeList(shown.map(function (r) { return m.card(r.f, r.d, labels, selected); }));
      var trig = (dc.callback_context.triggered || []).map(function (x) { return x.prop_id; });
      var fit = near && trig.some(function (id) { return id.indexOf("home-near") === 0 || id.indexOf("home-data") === 0; });
      var box = fit ? m.boundsOf(ranked, near, 5) : null;
      var bounds = box ? { bounds: box, transition: "flyToBounds" } : null;
      var status = data.error ? t["Could not load the services. Please reload the page."]
        : near ? fmt(t["Nearest first, from {place}"], { place: near.label }) : "";
      if (ranked.length > shown.length) status = [status, fmt(t["Showing {shown} of {n}"], { shown: shown.length, n: ranked.length })].filter(Boolean).join(" · ");
      m.lastRender = { ms: performance.now() - t0, at: performance.now(), count: ranked.length };
      return [mapData, String(ranked.length),
              ranked.length ? { display: "none" } : {},
              ranked.length > shown.length ? {} : { display: "none" }, bounds || nu(), status];
    },
    limit: function (n) { return 50 * (1 + (n || 0)); },
    select: function (chosen, clickData, data) {
      var trig = (dc.callback_context.triggered || []).map(function (x) { return x.prop_id; });
      var fromMap = trig.some(function (id) { return id.indexOf("clickData") !== -1; });
      var id = null;
      if (fromMap) {
        var p = clickData && clickData.properties;
        if (!p || p.cluster) return [nu(), nu()];
        id = p.id;
      } else {
        id = chosen && chosen.id;
      }
      var features = ((m.collections || {})[data && data.url] || { features: [] }).features;
      var f = features.find(function (x) { return x.properties.id === id; });
      if (!f) return [nu(), nu()];
      m.selectedId = id;
      document.querySelectorAll(".elip-card.is-selected").forEach(function (x) { x.classList.remove("is-selected"); });
      var card = document.querySelector('.elip-card[data-location-id="' + CSS.escape(id) + '"]');
      if (card) {
        card.classList.add("is-selected");
        if (fromMap) { card.scrollIntoView({ block: "nearest" }); var b = card.querySelector("button"); if (b) b.focus({ preventScroll: true }); }
      }
      var c = f.geometry.coordinates;
      return [{ type: "FeatureCollection", features: [{ type: "Feature", id: "sel", geometry: f.geometry, properties: { id: "sel" } }] },
              { center: [c[1], c[0]], zoom: 16, transition: "flyTo" }];
    },
    nearLayer: function (near) {
      if (!near) return { type: "FeatureCollection", features: [] };
      return { type: "FeatureCollection", features: [{ type: "Feature", id: "near", properties: { id: "near" },
        geometry: { type: "Point", coordinates: [near.lon, near.lat] } }] };
    },
    locate: function (n, labels) {
      if (!n) return [nu(), nu()];
      var t = labels.t;
      if (!navigator.geolocation) return [nu(), t["Location is not available in this browser."]];
      // The position stays in this page: it is not sent to the server, logged or put in the URL.
      return new Promise(function (resolve) {
        navigator.geolocation.getCurrentPosition(function (pos) {
          resolve([{ lat: pos.coords.latitude, lon: pos.coords.longitude, label: t["your location"], query: null }, ""]);
        }, function () { resolve([nu(), t["Your browser did not share your location."]]); }, { timeout: 10000, maximumAge: 60000 });
      });
    },
    // One callback both ways (Dash allows a loop only inside one callback): a filter change writes the
    // URL (dcc.Location pushes a history step); the back button changes the URL, which sets the filters.
    syncUrl: function (types, langs, hood, q, near, search, labels) {
      var none = [nu(), nu(), nu(), nu(), nu(), nu()];
      var trig = (dc.callback_context.triggered || []).map(function (x) { return x.prop_id; });
      if (trig.length === 1 && trig[0] === "home-url.search") {
        var p = new URLSearchParams(search || "");
        var list = function (k) { return (p.get(k) || "").split(",").filter(Boolean); };
        return [nu(), list("service"), list("lang"), p.get("hood") || null, p.get("q") || "", p.get("near") || ""];
      }
      var params = new URLSearchParams();
      if (labels.ui && labels.ui !== "en") params.set("ui", labels.ui);
      if (types && types.length) params.set("service", types.join(","));
      if (langs && langs.length) params.set("lang", langs.join(","));
      if (hood) params.set("hood", hood);
      if (q) params.set("q", q);
      if (near && near.query) params.set("near", near.query);
      var current = new URLSearchParams(window.location.search);
      var keys = ["ui", "service", "lang", "hood", "q", "near"];
      var same = keys.every(function (k) { return (current.get(k) || "") === (params.get(k) || ""); });
      if (same) return none;
      var qs = params.toString();
      return [qs ? "?" + qs : "", nu(), nu(), nu(), nu(), nu()];
    },
    toggleView: function (n, labels) {
      var showMap = (n || 0) % 2 === 1;
      return ["elip-panes " + (showMap ? "show-map" : "show-list"), showMap ? labels.t["Show list"] : labels.t["Show map"]];
    },
    clearFilters: function () { return [[], [], null, "", [], null]; },
    widen: function () { return [[], [], null, "", [], null]; },
    setDir: function (search) {
      var ui = new URLSearchParams(search || "").get("ui") || "en";
      var code = ui.split("-")[0].toLowerCase();
      var known = { en: "ltr", fr: "ltr", ar: "rtl" };
      if (!known[code]) code = "en";
      document.documentElement.lang = code;
      document.documentElement.dir = known[code];
      return nu();
    },
  };

  // "Show on map" in the list: hand the id to Dash (the select callback highlights the pin).
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("button[data-show]");
    if (!b || !dc.set_props) return;
    dc.set_props("home-selected", { data: { id: b.getAttribute("data-show"), at: Date.now() } });
  });

  // Interface-language links keep the reader's current search (a full load gives the right first paint).
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.elip-ui-link");
    if (!a) return;
    var params = new URLSearchParams(window.location.search);
    params.set("ui", a.getAttribute("data-ui"));
    a.setAttribute("href", window.location.pathname + "?" + params.toString());
  }, true);
})();
