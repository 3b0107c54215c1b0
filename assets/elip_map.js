/* ELIP Service Map: the newcomer page's browser code.
 *
 * window.elip.map.*            pure helpers (filter predicate, ranking) and Leaflet function props;
 *                              elip_map/filters.py is the Python twin of matches() and rankFeatures().
 * window.dash_clientside.elip_map.*   clientside callbacks: filtering happens here, with no server
 *                              round trip, and the list and the map are always built from one result:
 *                              the list, count and status are written as plain DOM and the clustered
 *                              map is updated in place (showPoints), not through Dash props.
 * Listing text is never handed to Leaflet as HTML: the list is made of Dash components (React escapes
 * text) and markers carry no popup or tooltip.
 */
(function () {
  "use strict";
  var ns = (window.elip = window.elip || {});
  var m = (ns.map = ns.map || {});

  // ---- predicate (twin of elip_map/filters.py) ------------------------------------------------
  // Text keys: twin of elip_map/rules/text.py (fold). Accents are dropped from Latin, Greek and
  // Cyrillic letters only; other scripts keep their marks; Arabic-script variants are unified.
  var SPLIT = /[^\p{L}\p{N}\p{M}]+/u, MARK = /\p{M}/u, IDEOGRAPH = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/gu;
  var ARABIC_FOLD = { "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
                      "\u0649": "\u064a", "\u06cc": "\u064a", "\u06a9": "\u0643", "\u0629": "\u0647", "\u0640": "" };
  m.normalize = function (text) {
    if (!text) return "";
    var s = String(text);
    if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join(" ");
    var out = "", base = 0;
    for (var ch of s.normalize("NFKD").toLowerCase()) {
      if (MARK.test(ch)) {
        var cp = ch.codePointAt(0);
        if (base < 0x530 || (base >= 0x1e00 && base < 0x2000) || (cp >= 0x64b && cp <= 0x65f) || cp === 0x670) continue;
      } else {
        base = ch.codePointAt(0);
      }
      out += ARABIC_FOLD[ch] !== undefined ? ARABIC_FOLD[ch] : ch;
    }
    // Chinese and Japanese write no spaces between words: each ideograph or kana is a word of its own.
    out = out.normalize("NFC").replace(IDEOGRAPH, " $& ");
    return out.split(SPLIT).filter(Boolean).join(" ");
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
  m.featureOrder = function (a, b) { var x = a.properties.sort || "", y = b.properties.sort || ""; return x < y ? -1 : x > y ? 1 : 0; };
  function bySort(a, b) { return m.featureOrder(a.f, b.f); }
  m.hasCriteria = function (c) {
    return !!(c && ((c.types && c.types.length) || (c.langs && c.langs.length) || c.hood || c.q || c.day || c.open_now));
  };
  // Nearest first in linear time: distances in whole metres go through a counting sort (stable, so
  // equal distances keep collection order, which the page sorts by name once when it loads). Within a
  // city the flat-earth (equirectangular) distance differs from the great circle by far less than a
  // metre and needs no trigonometry per location. 100,000 locations rank in a few milliseconds.
  var MAX_METRES = 131071;
  var flatCache = new WeakMap();
  var scratch = null;  // work arrays kept between rankings (one page ranks one collection at a time)
  // Longitudes and latitudes of a collection in one typed array, made once per collection.
  function flatCoordinates(features) {
    var xy = flatCache.get(features);
    if (!xy || xy.length !== 2 * features.length) {
      xy = new Float64Array(2 * features.length);
      for (var i = 0; i < features.length; i++) {
        var c = features[i].geometry.coordinates;
        xy[2 * i] = c[0];
        xy[2 * i + 1] = c[1];
      }
      flatCache.set(features, xy);
    }
    return xy;
  }
  m.rankFeatures = function (features, criteria, near) {
    var filtering = m.hasCriteria(criteria), n = features.length, i, k, f;
    if (!near) {
      var out = [];
      for (i = 0; i < n; i++) {
        f = features[i];
        if (!filtering || m.matches(f.properties, criteria)) out.push({ f: f, d: null });
      }
      return out.sort(bySort);
    }
    var xy = flatCoordinates(features), count = 0;
    if (!scratch || scratch.idx.length < n) scratch = { idx: new Uint32Array(n), metres: new Float64Array(n),
                                                       starts: new Uint32Array(MAX_METRES + 2) };
    var idx = scratch.idx, metres = scratch.metres, starts = scratch.starts;
    starts.fill(0);
    var mPerDeg = 6371008.8 * Math.PI / 180, kx = mPerDeg * Math.cos(near.lat * Math.PI / 180);
    for (i = 0; i < n; i++) {
      if (filtering && !m.matches(features[i].properties, criteria)) continue;
      var dx = (xy[2 * i] - near.lon) * kx, dy = (xy[2 * i + 1] - near.lat) * mPerDeg;
      idx[count] = i;
      metres[count++] = Math.round(Math.sqrt(dx * dx + dy * dy));
    }
    for (k = 0; k < count; k++) starts[Math.min(metres[k], MAX_METRES) + 1]++;
    for (k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
    // Each feature keeps one result record, reused by every later ranking (a new ranking always
    // replaces the previous one), so re-ranking allocates nothing per location.
    var ranked = new Array(count);
    for (k = 0; k < count; k++) {
      f = features[idx[k]];
      var r = f.rankEntry || (f.rankEntry = { f: f, d: 0 });
      r.d = metres[k] / 1000;
      ranked[starts[Math.min(metres[k], MAX_METRES)]++] = r;
    }
    // Anything beyond the last bucket (far outside the city) is put in exact order among itself.
    var tail = starts[MAX_METRES - 1];
    if (tail < count) {
      var far = ranked.slice(tail).sort(function (a, b) { return a.d - b.d || bySort(a, b); });
      for (k = 0; k < far.length; k++) ranked[tail + k] = far[k];
    }
    return ranked;
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

  // ---- clustered points, updated in place -------------------------------------------------------
  // Handing 10,000 features to dl.GeoJSON's `data` on every filter change cost Dash and dash-leaflet
  // about 60-120 ms (prop diffing, a new supercluster index, every marker torn down and rebuilt).
  // dash-leaflet calls clusterToLayer(feature, latlng, index, context) with its supercluster index and
  // a context holding the Leaflet map (the signature its own examples use), so a filter change reloads
  // that same index with the matching points and moves the markers already on the map; pan and zoom
  // keep using dash-leaflet's own redraw on the same index. Until a cluster has been drawn (nothing
  // captured yet), or if the map was rebuilt, the render callback falls back to the `data` prop.
  function clusterClass(n) {
    return "marker-cluster " + (n > 1000 ? "marker-cluster-large" : n > 100 ? "marker-cluster-medium" : "marker-cluster-small");
  }
  m.clusterToLayer = function (feature, latlng, index, context) {
    var p = feature.properties;
    var span = document.createElement("span");
    span.textContent = String(p.point_count_abbreviated);  // a number from supercluster, written as text
    var div = document.createElement("div");
    div.appendChild(span);
    var marker = L.marker(latlng, { icon: L.divIcon({ html: div, className: clusterClass(p.point_count), iconSize: L.point(40, 40) }) });
    m.captureClusters(index, context && context.map, marker);
    return marker;
  };
  m.captureClusters = function (index, map, marker) {
    var c = m.cluster;
    if (!index || !map || (c && c.index === index && c.map === map)) return;
    c = m.cluster = { index: index, map: map, layer: null };
    // The marker joins its GeoJSON layer right after clusterToLayer returns: look it up then.
    Promise.resolve().then(function () {
      map.eachLayer(function (l) { if (!c.layer && l instanceof L.GeoJSON && l.hasLayer(marker)) c.layer = l; });
      // dash-leaflet may finish indexing an older `data` after a newer result was shown in place.
      if (c.layer && m.shownPoints && !samePoints(index.points, m.shownPoints)) m.showPoints(m.shownPoints);
    });
  };
  function samePoints(a, b) {
    if (!a || a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function clusterLayerReady() {
    var c = m.cluster;
    return !!(c && c.layer && c.map.hasLayer(c.layer) && c.map.getContainer().isConnected && typeof L !== "undefined");
  }
  function moveCluster(marker, f) {
    var p = f.properties, icon = marker.options.icon, cls = clusterClass(p.point_count);
    icon.options.html.firstChild.textContent = String(p.point_count_abbreviated);
    if (icon.options.className !== cls) {
      var el = marker.getElement();
      if (el) {
        el.classList.remove("marker-cluster-small", "marker-cluster-medium", "marker-cluster-large");
        el.classList.add(cls.split(" ")[1]);
      }
      icon.options.className = cls;
    }
  }
  // A marker not needed for this result stays on the layer as a spare for the next result, its element
  // taken out of the page (so nothing can see, focus or count it): removing markers from the layer and
  // making new ones costs about 0.1-0.25 ms each here. Its feature becomes a placeholder that matches no
  // cluster and no point, so dash-leaflet's own redraw on pan or zoom drops it.
  var SPARE_CLUSTER = { type: "Feature", geometry: null, properties: { cluster: true, cluster_id: -1 } };
  var SPARE_POINT = { type: "Feature", geometry: null, properties: { cluster: false, id: null } };
  function setVisible(marker, visible) {
    var el = marker.getElement();
    if (!el) return;
    if (visible && !el.parentNode && marker._elipParent) marker._elipParent.appendChild(el);
    else if (!visible && el.parentNode) { marker._elipParent = el.parentNode; el.parentNode.removeChild(el); }
  }
  // Show these point features (the filtered result) on the clustered layer; false if it cannot yet.
  m.showPoints = function (features) {
    m.shownPoints = features;
    // Not ready: the caller hands the features to `data`, and dash-leaflet builds a new index that
    // clusterToLayer captures; forgetting the old one means it can never be reloaded by mistake.
    if (!clusterLayerReady()) { m.cluster = null; return false; }
    var c = m.cluster, map = c.map, layer = c.layer, b = map.getBounds();
    c.index.load(features);
    var wanted = c.index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom());
    var pools = { cluster: [], point: [] };
    layer.eachLayer(function (l) { pools[l.feature && l.feature.properties.cluster ? "cluster" : "point"].push(l); });
    var fresh = [];
    // Reuse the markers already on the layer (move them, change the count): far cheaper than new ones.
    wanted.forEach(function (f) {
      var kind = f.properties.cluster ? "cluster" : "point";
      var marker = pools[kind].pop();
      if (!marker) { fresh.push(f); return; }
      marker.feature = f;
      marker.setLatLng([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      if (kind === "cluster") moveCluster(marker, f);
      setVisible(marker, true);
    });
    pools.cluster.forEach(function (l) { l.feature = SPARE_CLUSTER; setVisible(l, false); });
    pools.point.forEach(function (l) { l.feature = SPARE_POINT; setVisible(l, false); });
    if (fresh.length) layer.addData(fresh);
    return true;
  };

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
  // The count, status, list and the two boxes are left alone by Dash after the first paint (no callback
  // outputs them), so writing them here cannot fight React. They may not be in the page yet on the very
  // first render: retry on the next frames.
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setShown(node, shown) { var v = shown ? "" : "none"; if (node.style.display !== v) node.style.display = v; }
  m.writeResults = function (r, tries) {
    var ol = document.getElementById("home-results"), count = document.getElementById("result-count"),
        status = document.getElementById("home-status"), empty = document.getElementById("home-empty"),
        more = document.getElementById("home-more");
    if (!ol || !count || !status || !empty || !more) {
      if ((tries || 0) < 60) requestAnimationFrame(function () { m.writeResults(r, (tries || 0) + 1); });
      return;
    }
    ol.replaceChildren.apply(ol, r.items);
    setText(count, r.count);
    setText(status, r.status);
    setShown(empty, r.empty);
    setShown(more, r.more);
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
      return window.elip.feed.fetch(url).then(function (doc) {  // assets/elip_offline.js
        var collection = window.elip.feed.toCollection(doc);  // the compact feed (assets/elip_feed.js)
        m.collections = m.collections || {};
        m.collections[url] = collection;
        // Kept in list order: filtering then keeps it, so ranking without a place sorts an already sorted list.
        (collection.features || []).sort(m.featureOrder);
        // The map needs only the point and the id: a light copy keeps each update small for Dash to pass on.
        (collection.features || []).forEach(function (f) {
          f.light = { type: "Feature", id: f.properties.id, geometry: f.geometry, properties: { id: f.properties.id } };
        });
        return { url: url, n: (collection.features || []).length };
      }).catch(function () { return { url: url, n: 0, error: true }; });
    },
    // Everything the reader sees of a result (count, status, list, "no match" box, "show more", map
    // markers) is written here in one go, straight into the page: passing it back through Dash props
    // added 20-50 ms after this function had finished. Dash only gets the viewport, when it moves.
    render: function (data, types, langs, hood, q, openNow, day, near, limit, labels) {
      var t0 = performance.now();
      var t = labels.t;
      if (!data) {
        m.writeResults({ count: "…", status: t["Loading services…"], empty: false, more: false, items: [] });
        return [nu(), nu()];
      }
      var collection = (m.collections || {})[data.url] || { features: [] };
      var ranked = m.rankFeatures(collection.features || [], m.criteria(types, langs, hood, q, openNow, day), near);
      var t1 = performance.now();
      var shown = ranked.slice(0, limit || labels.page || 25);
      var selected = m.selectedId || null;
      var status = data.error ? t["Could not load the services. Please reload the page."]
        : near ? fmt(t["Nearest first, from {place}"], { place: near.label }) : "";
      if (ranked.length > shown.length) status = [status, fmt(t["Showing {shown} of {n}"], { shown: shown.length, n: ranked.length })].filter(Boolean).join(" · ");
      m.writeResults({ count: String(ranked.length), status: status, empty: !ranked.length, more: ranked.length > shown.length,
                       items: shown.map(function (r) { return m.card(r.f, r.d, labels, selected); }) });
      var t2 = performance.now();
      var points = ranked.map(function (r) { return r.f.light || r.f; });
      var mapData = m.showPoints(points) ? nu() : { type: "FeatureCollection", features: points };
      var trig = (dc.callback_context.triggered || []).map(function (x) { return x.prop_id; });
      var fit = near && trig.some(function (id) { return id.indexOf("home-near") === 0 || id.indexOf("home-data") === 0; });
      var box = fit ? m.boundsOf(ranked, near, 5) : null;
      var t3 = performance.now();
      m.lastRender = { ms: t3 - t0, rank: t1 - t0, list: t2 - t1, map: t3 - t2, inPlace: mapData === nu(), at: t3, count: ranked.length };
      return [mapData, box ? { bounds: box, transition: "flyToBounds" } : nu()];
    },
    limit: function (n, labels) { return ((labels && labels.page) || 25) * (1 + (n || 0)); },
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
