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
  // What the whole query names in the reader's words (twin of named_concepts in elip_map/rules/filters.py):
  // table rows are [folded phrase, "t" | "l", slug or code], sent by the page for its language only.
  m.namedConcepts = function (query, table) {
    var tokens = m.normalize(query).split(" ").filter(Boolean), found = { types: [], langs: [] };
    if (!tokens.length || tokens.join("").length < 2) return found;
    (table || []).forEach(function (row) {
      var words = row[0].split(" "), bucket = row[1] === "t" ? found.types : found.langs;
      if (bucket.indexOf(row[2]) === -1 && tokens.every(function (t) { return m.tokenMatches(t, words); })) bucket.push(row[2]);
    });
    return found;
  };
  m.withNamed = function (criteria, table) {
    var named = m.namedConcepts(criteria.q || "", table);
    return Object.assign({}, criteria, { q_types: named.types, q_langs: named.langs });
  };
  m.isOpen = function (hours, weekday, minutes) {
    return (hours || []).some(function (h) { return h[0] === weekday && h[1] <= minutes && minutes < h[2]; });
  };
  function anyIn(values, wanted) {
    if (!values) return false;
    for (var i = 0; i < values.length; i++) if (wanted.indexOf(values[i]) !== -1) return true;
    return false;
  }
  m.matches = function (props, criteria) {
    var c = criteria || {};
    if (c.types && c.types.length && !anyIn(props.types, c.types)) return false;
    if (c.langs && c.langs.length && !anyIn(props.langs, c.langs)) return false;
    if (c.hood && String(props.hood || "") !== String(c.hood)) return false;
    if (c.q && !(m.textMatches(c.q, props.text || "") || anyIn(props.types, c.q_types || []) ||
                 anyIn(props.langs, c.q_langs || []))) return false;
    if (c.status && !props.elig_unknown && !anyIn(props.elig, [c.status, "everyone"])) return false;
    if (!c.day && !c.open_now) return true;
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
    return !!(c && ((c.types && c.types.length) || (c.langs && c.langs.length) || c.hood || c.q || c.status || c.day || c.open_now));
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

  // ---- interface languages (twin of elip_map/i18n/locales.py) ---------------------------------------
  m.SUPPORTED_UI = ["en", "fr", "ar", "zh-Hans", "zh-Hant", "pa", "tl", "es", "uk", "so", "ti", "am", "fa", "prs"];
  m.RTL_UI = ["ar", "fa", "prs"];
  m.matchUi = function (value) {
    if (!value) return null;
    var key = String(value).replace(/_/g, "-").toLowerCase();
    for (var i = 0; i < m.SUPPORTED_UI.length; i++) if (m.SUPPORTED_UI[i].toLowerCase() === key) return m.SUPPORTED_UI[i];
    return null;
  };

  // ---- Leaflet function props (referenced by name from Python) ---------------------------------
  // A pin is an SVG path: made focusable by hand, named after its listing, and Enter or Space on it does
  // what a click does (select it: its card is drawn and highlighted, its popup opens).
  function pinName(id) {
    var f = (m.byId || {})[id], p = f ? f.properties : {};
    return [p.organization, p.name].filter(Boolean).join(" – ") || "";
  }
  m.labelPin = function (marker) {
    var node = marker.getElement && marker.getElement(), id = marker.feature && marker.feature.properties.id;
    if (!node || !id) return;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", pinName(id));
    node.setAttribute("data-pin", id);
  };
  m.pointToLayer = function (feature, latlng, context) {
    if (context && context.map) m.leafletMap = context.map;
    var marker = L.circleMarker(latlng, { radius: 9, weight: 2, color: "#ffffff", fillColor: "#0b5cad", fillOpacity: 0.95 });
    marker.on("add", function () { m.labelPin(marker); });
    return marker;
  };
  document.addEventListener("keydown", function (ev) {
    var pin = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-pin");
    if (!pin || (ev.key !== "Enter" && ev.key !== " ")) return;
    ev.preventDefault();
    m.choose(pin);
  });
  // The popup of the selected pin: text nodes only (never HTML from the data), and a link to its card.
  // Its address is a card detail: asked for when it is not here yet (a pin beyond the cards drawn, or
  // asked for earlier with no network), and written into the open popup when it arrives (refreshPopup).
  m.popupContent = function (id) {
    var f = (m.byId || {})[id], t = (m.labels || { t: {} }).t;
    if (!f) return null;
    var p = m.withDetails(f.properties);
    var link = el("a", { href: "#card-" + p.id, "class": "elip-popup-link", "data-card": p.id }, t["See details"] || "See details");
    return el("div", { "class": "elip-popup" }, [el("strong", {}, el("bdi", {}, p.organization || "")),
      p.name ? el("div", {}, el("bdi", {}, p.name)) : null,
      p.address ? el("div", {}, ltr(p.address)) : null,
      // Offline and never saved: say why there is no address, as its card does.
      !p.address && m.detailsMissing[id] && !m.details[id] ? el("div", { "class": "elip-popup-unsaved", role: "note" },
        m.missingNote(id, t)) : null,
      link]);
  };
  m.selectedToLayer = function (feature, latlng, context) {
    if (context && context.map) m.leafletMap = context.map;
    var marker = L.circleMarker(latlng, { radius: 13, weight: 4, color: "#b3261e", fillColor: "#ffd400", fillOpacity: 1 });
    var content = m.popupContent(feature.properties.ref);
    if (content) {
      // Opened once the map has flown to the pin, then panned clear of the zoom and layer controls.
      marker.bindPopup(content, { autoPan: true, autoPanPaddingTopLeft: L.point(8, 84), autoPanPaddingBottomRight: L.point(8, 8),
                                  offset: L.point(0, -8), maxWidth: 230 });
      m.popupMarker = marker;
      marker.elipRef = feature.properties.ref;
      marker.on("popupopen", function () {
        m.translateMapControls((m.labels || { t: {} }).t);
        if (!m.details[marker.elipRef]) m.needDetails([marker.elipRef]);
      });
      marker.on("add", function () {
        var map = marker._map, opened = false;
        function open() { if (!opened && marker._map) { opened = true; marker.openPopup(); } }
        if (map) map.once("moveend", open);
        setTimeout(open, 1200);
      });
    }
    return marker;
  };
  // Details arrived for these ids: the selected pin's popup, if it is one of them, gets its new text
  // (built like the first, text nodes only); a focused "See details" link keeps the focus.
  m.refreshPopup = function (ids) {
    var marker = m.popupMarker, popup = marker && marker.getPopup && marker.getPopup();
    var id = marker && marker.elipRef;
    if (!popup || !id || ids.indexOf(id) === -1) return;
    var content = m.popupContent(id);
    if (!content) return;
    var old = popup.getContent(), focused = !!(old && old.contains && old.contains(document.activeElement));
    popup.setContent(content);
    if (focused) { var link = content.querySelector("a"); if (link) link.focus({ preventScroll: true }); }
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
  // The name holds the number shown (WCAG 2.5.3, label in name): a title without it ("خدمتان هنا", the Arabic
  // for two services; "1234 services" under "1.2k") is read after it.
  function nameCluster(node, title, shown) {
    var name = title.indexOf(shown) === -1 ? shown + " – " + title : title;
    if (node && node.getAttribute("aria-label") !== name) node.setAttribute("aria-label", name);
  }
  function clusterTitle(n) {
    return m.plural(m.labels, "{n} service here: zoom in", n) || String(n);
  }
  m.clusterToLayer = function (feature, latlng, index, context) {
    if (context && context.map) m.leafletMap = context.map;
    var p = feature.properties;
    var span = document.createElement("span");
    span.textContent = String(p.point_count_abbreviated);  // a number from supercluster, written as text
    var div = document.createElement("div");
    div.appendChild(span);
    var marker = L.marker(latlng, { icon: L.divIcon({ html: div, className: clusterClass(p.point_count), iconSize: L.point(40, 40) }),
                                    keyboard: true, title: clusterTitle(p.point_count) });
    // Its name, not only its title: a button named by its content was read as "10, button".
    marker.on("add", function () { nameCluster(marker.getElement(), marker.options.title, span.textContent); });
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
    var count = icon.options.html.firstChild, text = String(p.point_count_abbreviated);
    if (count.textContent !== text) count.textContent = text;
    var node = marker.getElement(), title = clusterTitle(p.point_count);
    if (node && node.getAttribute("title") !== title) node.setAttribute("title", title);
    nameCluster(node, title, text);
    marker.options.title = title;
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
  function moveTo(marker, f) {
    var c = f.geometry.coordinates, at = marker.getLatLng();
    if (!at || at.lat !== c[1] || at.lng !== c[0]) marker.setLatLng([c[1], c[0]]);
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
    var pools = { cluster: [], point: [] }, pinOf = {};
    // A pin already showing a listing that is still wanted stays as it is: moving a pin redraws its SVG
    // path and relabels it (most of the map update when a filter narrows the result).
    layer.eachLayer(function (l) {
      var p = l.feature && l.feature.properties;
      if (p && !p.cluster && p.id && !pinOf[p.id] && l.getElement && l.getElement() && l.getElement().parentNode) pinOf[p.id] = l;
      else pools[p && p.cluster ? "cluster" : "point"].push(l);
    });
    var unmatched = wanted.filter(function (f) {
      var pin = !f.properties.cluster && pinOf[f.properties.id];
      if (!pin) return true;
      delete pinOf[f.properties.id];
      pin.feature = f;
      moveTo(pin, f);
      return false;
    });
    Object.keys(pinOf).forEach(function (id) { pools.point.push(pinOf[id]); });
    var fresh = [];
    // Reuse the markers already on the layer (move them, change the count): far cheaper than new ones.
    unmatched.forEach(function (f) {
      var kind = f.properties.cluster ? "cluster" : "point";
      var marker = pools[kind].pop();
      if (!marker) { fresh.push(f); return; }
      marker.feature = f;
      moveTo(marker, f);
      if (kind === "cluster") moveCluster(marker, f);
      setVisible(marker, true);
      if (kind === "point") m.labelPin(marker);
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
    (function add(list) {
      (Array.isArray(list) ? list : [list]).forEach(function (c) {
        if (c === null || c === undefined || c === "") return;
        if (Array.isArray(c)) return add(c);
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    })(children);
    return node;
  }
  // Left-to-right data (phones, addresses, postal codes, hours, dates, distances, e-mail and web
  // addresses) inside right-to-left text: an isolated run, so "780-555-0199" never reads "0199-555-780".
  function ltr(text) { return el("bdi", { dir: "ltr" }, String(text)); }
  m.ltr = ltr;
  // Text of its own direction inside a sentence set with textContent (no <bdi> there): first strong
  // isolate ... pop, so "10111 104 Avenue" in an Arabic sentence does not read "Avenue 104 10111".
  function isolate(text) { return "\u2068" + String(text) + "\u2069"; }
  m.isolate = isolate;
  function safeHref(url) { return /^https?:\/\//i.test(url || "") ? url : null; }
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }
  // A count in the reader's language: the catalogue's plural forms, keyed by the CLDR category that
  // Intl.PluralRules names for n (the server's i18n.plural_table), "0" for zero; "{n}" filled in.
  // One Intl.PluralRules per language: making one costs far more than asking it, and a map update titles
  // every cluster on screen (about 15 ms per filter change at 10,000 locations, bench/bench_filter.py).
  var pluralRules = {};
  function pluralCategory(locale, n) {
    var key = String(locale || "");
    var rules = pluralRules[key] || (pluralRules[key] = new Intl.PluralRules(locale || undefined));
    return rules.select(n);
  }
  m.plural = function (labels, key, n, values) {
    var forms = ((labels || {}).plural || {})[key];
    if (!forms) return "";
    var text = n === 0 && forms["0"] !== undefined ? forms["0"] : forms[pluralCategory(labels.locale, n)];
    return fmt(text === undefined ? forms.other || "" : text, Object.assign({ n: n }, values || {}));
  };
  // fmt() that keeps nodes: fmtNodes("Call {phone}", {phone: ltr("780-555-0199")}) -> ["Call ", <bdi>].
  function fmtNodes(template, values) {
    return String(template || "").split(/(\{\w+\})/).map(function (part) {
      var k = /^\{(\w+)\}$/.exec(part);
      return k ? (values[k[1]] === undefined ? "" : values[k[1]]) : part;
    });
  }
  function hm(mins) {
    var hh = Math.floor(mins / 60), mm = mins % 60;
    return hh + ":" + (mm < 10 ? "0" : "") + mm;
  }
  m.formatHours = function (hours, days) {
    return (hours || []).map(function (r) { return days[r[0] - 1] + " " + hm(r[1]) + "–" + hm(r[2]); }).join(", ");
  };
  // The same, with each time range an isolated left-to-right run ("Mon 9:00–17:00", never "17:00–9:00"),
  // kept on one line with its day: a phone's narrow column broke it as "Tue 9:00–" / "19:00".
  m.hoursNodes = function (hours, days) {
    var out = [];
    (hours || []).forEach(function (r, i) {
      if (i) out.push(", ");
      out.push(el("span", { "class": "elip-nowrap" }, [days[r[0] - 1] + " ", ltr(hm(r[1]) + "–" + hm(r[2]))]));
    });
    return out;
  };
  // Numbers and dates as Babel (CLDR) writes them for the reader's language: the page sends the decimal
  // sign, the date pattern and the month names (elip_map/pages/home.py, browser_labels).
  m.formatKm = function (km, labels) {
    return km.toFixed(1).replace(".", (labels && labels.decimal) || ".");
  };
  m.formatDate = function (iso, labels) {
    var d = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || ""), f = labels && labels.date;
    if (!d || !f) return iso || "";
    var y = d[1], mo = Number(d[2]), day = Number(d[3]);
    return f.pattern.replace(/'([^']*)'|y+|M+|L+|d+/g, function (tok, quoted) {
      if (quoted !== undefined) return quoted;
      if (tok[0] === "y") return y;
      if (tok[0] === "d") return tok.length > 1 && day < 10 ? "0" + day : String(day);
      if (tok.length >= 3) return f.months[mo - 1];
      return tok.length > 1 && mo < 10 ? "0" + mo : String(mo);
    });
  };
  m.directionsUrl = function (lat, lon, address) {
    // Google's universal URL opens the phone's maps app on Android and iOS, and the web elsewhere. The
    // street address when there is one (a pin may be an estimate), otherwise the pin.
    if (address) return "https://www.google.com/maps/dir/?api=1&destination=" + encodeURIComponent(address);
    return "https://www.google.com/maps/dir/?api=1&destination=" + lat.toFixed(5) + "%2C" + lon.toFixed(5);
  };
  m.isStale = function (iso, labels) { return !!(iso && labels.stale_before && iso < labels.stale_before); };
  // Twin of components/eligibility_text.eligibility_line: why this card is shown to the reader's status.
  m.eligibilityLine = function (p, e, status) {
    var served = p.elig || [], parts = [];
    if (status && (served.indexOf(status) !== -1 || served.indexOf("everyone") !== -1)) {
      parts.push(e.served[served.indexOf("everyone") !== -1 ? "everyone" : status]);
    } else if (!status) {
      served.forEach(function (s) { if (e.served[s]) parts.push(e.served[s]); });
    }
    if (p.elig_unknown && !parts.length) parts.push(e.ask);
    if (p.ages) parts.push(fmt(e.ages, { ages: p.ages }));
    if (e.gender[p.gender]) parts.push(e.gender[p.gender]);
    return parts.join(" · ");
  };
  // ---- card details, fetched a page of cards at a time ------------------------------------------
  // The feed carries what the map, the filters and a card's heading need; the rest of a card (address,
  // phones, website, e-mail, notes, eligibility and fees in words, last check) comes from
  // /api/details?ids=...&v=<directory fingerprint> for the cards drawn, kept here for this directory
  // version, in the browser's HTTP cache (a year: the address changes with the version) and by the
  // service worker for offline use. Text only, written with textContent like the rest of the card.
  var DETAILS_BATCH = 100;  // the server's limit (api/feed.py, MAX_DETAIL_IDS)
  m.details = {};           // id -> details, for m.detailsVersion
  m.detailsMissing = {};    // id -> true: asked for and not obtained (offline and never saved)
  var detailsPending = {};  // id -> the promise of the request that asks for it
  m.detailsWaitMs = 20000;  // how long one details request may take before it is given up
  function dataVersion() {
    try { return new URL(m.dataUrl || "", window.location.href).searchParams.get("v") || ""; } catch (e) { return ""; }
  }
  m.detailsUrl = function (ids, version) {
    return "/api/details?ids=" + ids.join(",") + "&v=" + encodeURIComponent(version || "");
  };
  function idNumber(id) { return Number(String(id).replace(/^\D+/, "")) || 0; }
  function currentVersion() {
    var version = dataVersion();
    if (version !== m.detailsVersion) { m.details = {}; m.detailsMissing = {}; detailsPending = {}; m.detailsVersion = version; }
    return version;
  }
  function unknownIds(ids) {
    return ids.filter(function (id) { return id && !m.details[id] && !detailsPending[id]; })
      .sort(function (a, b) { return idNumber(a) - idNumber(b); });  // one address per set of cards: cacheable
  }
  // Ask for the details of these cards that are not known yet; the cards are redrawn when they arrive.
  m.needDetails = function (ids) {
    var version = currentVersion(), want = unknownIds(ids);
    for (var i = 0; i < want.length; i += DETAILS_BATCH) fetchDetails(want.slice(i, i + DETAILS_BATCH), version);
  };
  // Every one of these ids settled (details here, or known to be missing), however many there are:
  // batches of DETAILS_BATCH, a few at a time, so a printout of thousands does not flood the server.
  // onProgress(settled, total) follows along. Resolves when nothing is left to wait for; never rejects.
  var DETAILS_PARALLEL = 3;
  m.detailsFor = function (ids, onProgress) {
    var version = currentVersion(), want = unknownIds(ids), total = ids.length;
    var waits = ids.filter(function (id) { return detailsPending[id]; }).map(function (id) { return detailsPending[id]; });
    var batches = [];
    for (var i = 0; i < want.length; i += DETAILS_BATCH) batches.push(want.slice(i, i + DETAILS_BATCH));
    function progress() {
      if (!onProgress || version !== m.detailsVersion) return;
      onProgress(ids.filter(function (id) { return m.details[id] || m.detailsMissing[id]; }).length, total);
    }
    function next() {
      var batch = batches.shift();
      if (!batch) return Promise.resolve();
      return fetchDetails(batch, version).catch(function () {}).then(function () { progress(); return next(); });
    }
    var lanes = [];
    for (var k = 0; k < DETAILS_PARALLEL; k++) lanes.push(next());
    progress();
    return Promise.all(lanes.concat(Array.from(new Set(waits)).map(function (w) { return w.catch(function () {}); })))
      .then(function () {});
  };
  function fetchDetails(ids, version) {
    // Offline, the service worker may answer part of a set from what it saved: it lists the rest as missing.
    var settle = function (found, missing, why) {
      if (version !== m.detailsVersion) return;
      ids.forEach(function (id) {
        delete detailsPending[id];
        if (found && (missing || []).indexOf(id) === -1) { m.details[id] = found[id] || {}; delete m.detailsMissing[id]; }
        else m.detailsMissing[id] = why || "unsaved";
      });
      m.redrawCards(ids);
      m.refreshPopup(ids);
    };
    // A request that hangs (a weak signal that never answers) is given up after m.detailsWaitMs: its cards
    // are then "not obtained" like offline, asked again next time, and a printout waiting on them prints.
    var abort = window.AbortController ? new AbortController() : null, gaveUp = false;
    var timer = abort ? setTimeout(function () { gaveUp = true; abort.abort(); }, m.detailsWaitMs) : null;
    var asked = fetch(m.detailsUrl(ids, version), { credentials: "same-origin", signal: abort ? abort.signal : undefined }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (doc) { clearTimeout(timer); settle((doc && doc.details) || {}, (doc && doc.missing) || []); },
            function () { clearTimeout(timer); settle(null, null, gaveUp ? "slow" : "unsaved"); });
    ids.forEach(function (id) { detailsPending[id] = asked; });
    return asked;
  }
  // Why a card has no address: never saved on this phone (offline), or the connection was too slow.
  m.missingNote = function (id, t) {
    return m.detailsMissing[id] === "slow"
      ? t["The address, phone and other details of this service did not arrive in time (slow connection). They will be asked for again."]
      : t["The address, phone and other details of this service are not saved on this phone. Connect to the internet to see them."];
  };
  // Cards already on screen get their details in place (the focus stays on a focused card). The card at the
  // top of the reader's view keeps its place: the browser's scroll anchoring, its anchor node replaced,
  // held a card further down still instead, and the reader of "nearest first" landed mid-card.
  function topCardInView() {
    var pane = document.querySelector(".elip-list-pane");
    var scroller = pane && pane.scrollHeight > pane.clientHeight ? pane : null;  // wide screens scroll the pane
    var top = scroller ? scroller.getBoundingClientRect().top : 0;
    var cards = document.querySelectorAll("#home-results > li, #home-results-unplaced > li");
    for (var i = 0; i < cards.length; i++) {
      var box = cards[i].getBoundingClientRect();
      if (box.height && box.bottom > top) return { id: cards[i].id, top: box.top, scroller: scroller || window };
    }
    return null;
  }
  m.redrawCards = function (ids) {
    var last = m.last;
    if (!last) return;
    var view = topCardInView();
    ids.forEach(function (id) {
      var old = document.getElementById("card-" + id), f = (m.byId || {})[id];
      if (!old || !f) return;
      var ranked = last.ranked.find(function (r) { return r.f.properties.id === id; });
      var fresh = m.card(f, ranked ? ranked.d : null, last.labels, m.selectedId || null, last.near, last.status);
      var focused = document.activeElement === old;
      old.replaceWith(fresh);
      if (focused) fresh.focus({ preventScroll: true });
    });
    var kept = view && document.getElementById(view.id);
    var moved = kept ? kept.getBoundingClientRect().top - view.top : 0;
    if (Math.abs(moved) >= 1) view.scroller.scrollBy(0, moved);
  };
  // A feature's properties with its card details, when they are here.
  m.withDetails = function (props) {
    var d = m.details[props.id];
    return d ? Object.assign({}, props, d) : props;
  };

  m.card = function (f, dist, labels, selected, near, status) {
    var p = m.withDetails(f.properties), t = labels.t, placed = !!f.geometry;
    var rows = [];
    function row(label, value) { if (value && (!Array.isArray(value) || value.length)) { rows.push(el("dt", {}, label)); rows.push(el("dd", {}, value)); } }
    var typeNames = (p.types || []).map(function (s) { return labels.types[s] || s; }).join(", ");
    row(t["Services"], [typeNames, (p.services || []).length ? el("span", { "class": "elip-card-services" }, " · " + p.services.join(" · ")) : null]);
    row(t["Languages"], (p.langs || []).map(function (code) { return labels.langs[code] || code; }).join(", "));
    var hours = m.hoursNodes(p.hours, labels.days);
    if (p.hours_note) hours.push(hours.length ? " · " : "", p.hours_note);
    row(t["Hours"], hours.length ? hours : t["Hours not known"]);
    row(t["Accessibility"], p.accessibility);
    row(t["Eligibility"], [m.eligibilityLine(p, labels.elig, status), p.eligibility].filter(Boolean).join(" · "));
    row(t["Fees"], (p.fee_levels || []).map(function (f) { return labels.elig.fees[f] || f; }).concat(p.fees ? [p.fees] : []).join(" · "));
    var actions = (p.phones || []).map(function (ph) {
      // One inline run inside the flex button: as separate flex items, "Call " lost its space ("Call780-…").
      return el("a", { href: "tel:" + String(ph.tel).replace(/[^+\d]/g, ""), "class": "elip-action" },
                el("span", {}, fmtNodes(t["Call {phone}"], { phone: ltr(ph.display + (ph.ext ? " ext. " + ph.ext : "")) })));
    });
    // "Website", "Directions" and "Show on map" are the same words on every card: their names say whose they
    // are, for a screen reader's list of links and buttons (the words shown come first, WCAG 2.5.3).
    var whose = [p.organization, p.name].filter(Boolean).join(" – ");
    function named(words) { return whose ? words + " – " + whose : words; }
    if (safeHref(p.website)) actions.push(el("a", { href: p.website, "class": "elip-action", target: "_blank", rel: "noopener noreferrer",
                                                    "aria-label": named(t["Website"]) }, t["Website"]));
    if (p.email) actions.push(el("a", { href: "mailto:" + p.email, "class": "elip-action" }, el("span", {}, fmtNodes(t["Email {email}"], { email: ltr(p.email) }))));
    if (placed) {
      var c = f.geometry.coordinates;
      actions.push(el("a", { href: m.directionsUrl(c[1], c[0], p.address), "class": "elip-action", target: "_blank", rel: "noopener noreferrer",
                             "aria-label": named(t["Directions"]) }, t["Directions"]));
      actions.push(el("button", { type: "button", "class": "elip-action elip-show", "data-show": p.id,
                                  "aria-label": named(t["Show on map"]) }, t["Show on map"]));
    }
    var distance = null;
    if (dist !== null && dist !== undefined) {
      distance = el("p", { "class": "elip-card-distance" },
                    fmtNodes(t[near && near.approx ? "about {km} km away" : "{km} km away"], { km: ltr(m.formatKm(dist, labels)) }));
    }
    // A date is isolated with the direction of its own words: "2 يناير 2026" right to left, "January 2, 2026" left to right.
    var known = !!m.details[p.id];  // until the details come, the last check is not known either
    var verified = p.last_verified ? fmtNodes(t["Last verified: {date}"], { date: el("bdi", {}, m.formatDate(p.last_verified, labels)) })
      : labels.sample ? t["Sample listing, not verified by ELIP: call before you go."] : known ? t["Not verified yet"] : "";
    var children = [
      el("h3", { "class": "elip-card-org" }, p.organization || ""),
      p.name ? el("p", { "class": "elip-card-name" }, p.name) : null,
      distance,
      p.address ? el("p", { "class": "elip-card-address" }, ltr(p.address)) : null,
      placed ? null : el("p", { "class": "elip-card-unplaced" }, t[p.unplaced === "checking"
        ? "Address being checked: call before you go." : "No street address: call or visit online."]),
      el("dl", { "class": "elip-card-facts" }, rows),
      el("p", { "class": "elip-card-actions" }, actions),
      m.isStale(p.last_verified, labels) ? el("p", { "class": "elip-card-stale" },
        m.plural(labels, "Last checked more than {n} month ago: call before you go.", labels.stale_months)) : null,
      el("p", { "class": "elip-card-verified" }, verified),
    ];
    if (!m.details[p.id] && (m.printing || m.detailsMissing[p.id])) {  // on paper, a card without them says so
      children.splice(3, 0, el("p", { "class": "elip-card-unsaved", role: "note" }, m.printing
        ? t["Address and phone not available when this list was printed."]
        : m.missingNote(p.id, t)));
    }
    var attrs = { "class": "elip-card" + (selected === p.id ? " is-selected" : ""), "data-location-id": p.id,
                  id: "card-" + p.id, tabindex: "-1" };
    if (!placed) attrs["data-unplaced"] = "true";
    return el("li", attrs, el("article", {}, children));
  };
  // The count, status, list and the two boxes are left alone by Dash after the first paint (no callback
  // outputs them), so writing them here cannot fight React. They may not be in the page yet on the very
  // first render: retry on the next frames.
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setShown(node, shown) { var v = shown ? "" : "none"; if (node.style.display !== v) node.style.display = v; }
  m.writeResults = function (r, tries) {
    var ol = document.getElementById("home-results"), count = document.getElementById("result-count"),
        status = document.getElementById("home-status"), empty = document.getElementById("home-empty"),
        more = document.getElementById("home-more"), loose = document.getElementById("home-results-unplaced"),
        looseBox = document.getElementById("home-unplaced"), looseCount = document.getElementById("home-unplaced-count"),
        error = document.getElementById("home-error");
    if (!ol || !count || !status || !empty || !more || !loose || !looseBox || !error) {
      if ((tries || 0) < 60) requestAnimationFrame(function () { m.writeResults(r, (tries || 0) + 1); });
      return;
    }
    // "Show more results" pressed for the last page hides itself: the focus goes to the first card it brought
    // (it fell to the page's body, and a screen reader said nothing of the new cards).
    var moreFocused = document.activeElement === more, before = {};
    // So do "Clear filters" and "Show nearest services of any type" in the "no match" box, which hides once
    // there are results: the focus goes to the results heading (the count is announced after it).
    var emptyFocused = empty.contains(document.activeElement);
    if (moreFocused) cardsIn(ol, loose).forEach(function (li) { before[li.getAttribute("data-location-id")] = true; });
    ol.replaceChildren.apply(ol, r.items);
    loose.replaceChildren.apply(loose, r.unplaced || []);
    setText(count, r.count);
    setText(status, r.status);
    setText(looseCount, String(r.unplacedTotal || 0));
    setShown(looseBox, !!(r.unplaced || []).length);
    setShown(empty, r.empty);
    setShown(more, r.more);
    setShown(error, !!r.error);
    var heading = document.getElementById("home-results-heading");
    if (emptyFocused && !r.empty && heading) heading.focus();
    if (moreFocused && !r.more) {
      var cards = cardsIn(ol, loose);
      var first = cards.filter(function (li) { return !before[li.getAttribute("data-location-id")]; })[0] || cards[cards.length - 1];
      if (first) first.focus();
    }
  };
  function cardsIn(ol, loose) { return [].slice.call(ol.children).concat([].slice.call(loose.children)); }
  // The list for the last result (m.last, set by render): every card the current page of results
  // holds, placed ones first (nearest first when there is a place), then "Call or visit online". A
  // selected listing beyond that page is drawn at the top, so any pin opens its card.
  m.drawList = function (all) {
    var last = m.last;
    if (!last) return;
    var labels = last.labels, t = labels.t, near = last.near, limit = all ? Infinity : last.limit;
    // Listings without a map position get what the page of 25 leaves, and at least a fifth of it: every
    // one of them stays reachable through "Show more", and a filter change still builds about 30 cards.
    var looseLimit = all ? Infinity : Math.max(limit - last.ranked.length, Math.ceil(limit / 5));
    var shown = last.ranked.slice(0, limit), loose = last.loose.slice(0, looseLimit), selected = m.selectedId || null;
    var items = shown.map(function (r) { return m.card(r.f, r.d, labels, selected, near, last.status); });
    if (selected && !shown.some(function (r) { return r.f.properties.id === selected; })) {
      var extra = last.ranked.find(function (r) { return r.f.properties.id === selected; });
      if (extra) items.unshift(m.card(extra.f, extra.d, labels, selected, near, last.status));
    }
    var total = last.ranked.length + last.loose.length, drawn = shown.length + loose.length;
    var status = near ? fmt(t[near.approx ? "Nearest first, from about {place}" : "Nearest first, from {place}"], { place: isolate(near.label) }) : "";
    if (total > drawn) status = [status, fmt(t["Showing {shown} of {n}"], { shown: drawn, n: total })].filter(Boolean).join(" · ");
    m.writeResults({ count: String(total), status: status, empty: !total, more: total > drawn, items: items,
                     unplaced: loose.map(function (f) { return m.card(f, null, labels, selected, near, last.status); }),
                     unplacedTotal: last.loose.length });
    if (!all) {  // printing draws every card: it prints what is here rather than fetch thousands
      var ids = shown.map(function (r) { return r.f.properties.id; }).concat(loose.map(function (f) { return f.properties.id; }));
      if (selected) ids.push(selected);
      m.needDetails(ids);
    }
  };
  m.filterUnplaced = function (features, criteria) {
    if (!m.hasCriteria(criteria)) return features;
    return features.filter(function (f) { return m.matches(f.properties, criteria); });
  };
  // A reader whose system asks for less motion (prefers-reduced-motion) gets the new view at once: a flight
  // across the city zooms out and in again over a second or more, which can make such a reader unwell.
  m.motion = function (viewport) {
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!still) return viewport;
    return Object.assign({}, viewport, { transition: viewport.bounds ? "fitBounds" : "setView", options: { animate: false } });
  };
  // After "near" or "use my location": the first result gets the focus (a screen reader reads it)
  // and the page scrolls to it, instead of leaving it 900 px below the button on a phone.
  m.goToFirstResult = function () {
    var first = document.querySelector("#home-results > li, #home-results-unplaced > li");
    var list = document.querySelector(".elip-list-pane");
    if (!first || !list || !list.offsetParent) return;
    first.focus({ preventScroll: true });
    first.scrollIntoView({ block: "start" });
  };

  // Leaflet's layers button says "Layers" in English and has no option for it: give it the reader's words.
  // Leaflet's zoom and layers buttons are titled in English, with no option for it: give them the reader's words.
  var MAP_CONTROLS = { ".leaflet-control-zoom-in": "Zoom in", ".leaflet-control-zoom-out": "Zoom out",
                       ".leaflet-control-layers-toggle": "Map layers",
                       // A pin's box: Leaflet names its close button "Close popup", in English on every page.
                       ".leaflet-popup-close-button": "Close this box" };
  m.translateMapControls = function (t) {
    Object.keys(MAP_CONTROLS).forEach(function (selector) {
      var title = t[MAP_CONTROLS[selector]];
      if (!title) return;
      document.querySelectorAll(selector).forEach(function (a) {
        if (a.title !== title) { a.title = title; a.setAttribute("aria-label", title); }
      });
    });
    // The "Leaflet" credit link carries an English tooltip; the name itself says enough.
    document.querySelectorAll(".leaflet-control-attribution a[title]").forEach(function (a) { a.removeAttribute("title"); });
  };

  // ---- clientside callbacks ------------------------------------------------------------------
  var dc = (window.dash_clientside = window.dash_clientside || {});
  var nu = function () { return dc.no_update; };

  m.criteria = function (types, langs, hood, q, openNow, day, words, status) {
    var c = { types: types || [], langs: langs || [], hood: hood || null, q: q || "", status: status || null,
              open_now: !!(openNow && openNow.length), day: day ? Number(day) : null, now: m.edmontonNow() };
    return c.q && words ? m.withNamed(c, words) : c;
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

  // Basemap tiles wait behind the list on a phone: a 360 px screen shows the list first, and a dozen
  // tiles (100-300 KB) fetched at the same time delayed the feed and the first results on a slow line.
  // The tile layer starts without an address; a wide screen (map beside the list) gets it at once, a
  // phone once the list has been drawn (or the reader opens the map first).
  // The address is given after the next paint (one frame, then a task), so the list a phone has just
  // written reaches the screen before the tile requests start. The tile layer exists only when the site
  // has a tile server, so it is reached with set_props, never as a callback output (an output missing from
  // the layout is an error on every page).
  function giveTiles() {
    if (m.tileUrl && !m.tilesGiven && dc.set_props) {
      m.tilesGiven = true;
      window.requestAnimationFrame(function () {
        window.setTimeout(function () { dc.set_props("home-map-tiles", { url: m.tileUrl }); }, 0);
      });
    }
  }
  function releaseTiles() {
    m.listShown = true;
    giveTiles();
  }
  var SELECT_ZOOM = 15;
  dc.elip_map = {
    tilesFor: function (url) {
      if (!url) return nu();
      m.tileUrl = url;
      if (m.listShown || window.matchMedia("(min-width: 800px)").matches) giveTiles();
      return nu();
    },
    fetchData: function (url) {
      if (!url) return nu();
      m.dataUrl = url;
      // The collection stays in this page's memory, outside Dash's props: handing megabytes through the
      // renderer on every filter change cost seconds; only a small handle goes into the dcc.Store.
      return window.elip.feed.fetch(url).then(function (doc) {  // assets/elip_offline.js
        var collection = window.elip.feed.toCollection(doc);  // the compact feed (assets/elip_feed.js)
        m.collections = m.collections || {};
        m.collections[url] = collection;
        // Listings without a map position (geometry null) are kept apart: ranked by name, never by distance.
        var all = collection.features || [];
        m.byId = {};
        all.forEach(function (f) { m.byId[f.properties.id] = f; });
        collection.features = all.filter(function (f) { return f.geometry; });
        collection.unplaced = all.filter(function (f) { return !f.geometry; }).sort(m.featureOrder);
        // Kept in list order: filtering then keeps it, so ranking without a place sorts an already sorted list.
        (collection.features || []).sort(m.featureOrder);
        // The map needs only the point and the id: a light copy keeps each update small for Dash to pass on.
        (collection.features || []).forEach(function (f) {
          f.light = { type: "Feature", id: f.properties.id, geometry: f.geometry, properties: { id: f.properties.id } };
        });
        return { url: url, n: all.length };
      }).catch(function () { return { url: url, n: 0, error: true }; });
    },
    // Everything the reader sees of a result (count, status, list, "no match" box, "show more", map
    // markers) is written here in one go, straight into the page: passing it back through Dash props
    // added 20-50 ms after this function had finished. Dash only gets the viewport, when it moves.
    render: function (data, types, langs, hood, q, openNow, day, near, limit, status, labels) {
      var t0 = performance.now();
      var t = labels.t;
      m.labels = labels;
      if (!data || data.error) {
        m.last = null;
        m.writeResults({ count: data ? "0" : "…", status: data ? "" : t["Loading services…"], error: !!data, empty: false,
                         more: false, items: [] });
        if (data) releaseTiles();  // the load error is on screen: the map may come
        return [nu(), nu()];
      }
      var collection = (m.collections || {})[data.url] || { features: [] };
      var criteria = m.criteria(types, langs, hood, q, openNow, day, labels.words, status);
      var ranked = m.rankFeatures(collection.features || [], criteria, near);
      var loose = m.filterUnplaced(collection.unplaced || [], criteria);
      var t1 = performance.now();
      m.last = { ranked: ranked, loose: loose, near: near, limit: limit || labels.page || 25, labels: labels, criteria: criteria,
                 status: status || null };
      m.drawList();
      releaseTiles();
      m.translateMapControls(t);
      var t2 = performance.now();
      var points = ranked.map(function (r) { return r.f.light || r.f; });
      var mapData = m.showPoints(points) ? nu() : { type: "FeatureCollection", features: points };
      var trig = (dc.callback_context.triggered || []).map(function (x) { return x.prop_id; });
      var nearMoved = trig.some(function (id) { return id.indexOf("home-near") === 0; });
      var fit = near && (nearMoved || trig.some(function (id) { return id.indexOf("home-data") === 0; }));
      var box = fit ? m.boundsOf(ranked, near, 5) : null;
      if (near && nearMoved && m.wantFocus) { m.wantFocus = false; m.goToFirstResult(); }
      var t3 = performance.now();
      m.lastRender = { ms: t3 - t0, rank: t1 - t0, list: t2 - t1, map: t3 - t2, inPlace: mapData === nu(), at: t3,
                       count: ranked.length + loose.length };
      return [mapData, box ? m.motion({ bounds: box, transition: "flyToBounds" }) : nu()];
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
      var f = (m.byId || {})[id];
      if (!f || !f.geometry) return [nu(), nu()];
      m.selectedId = id;
      document.querySelectorAll(".elip-card.is-selected").forEach(function (x) { x.classList.remove("is-selected"); });
      var card = document.querySelector('.elip-card[data-location-id="' + CSS.escape(id) + '"]');
      if (!card) { m.drawList(); card = document.querySelector('.elip-card[data-location-id="' + CSS.escape(id) + '"]'); }
      if (card) {
        card.classList.add("is-selected");
        if (fromMap && card.offsetParent) { card.scrollIntoView({ block: "nearest" }); var b = card.querySelector("button"); if (b) b.focus({ preventScroll: true }); }
      }
      var c = f.geometry.coordinates;
      m.selectedLatLng = [c[1], c[0]];
      // Zoom 15 at most: the streets around the pin stay in view (16 was a blank square without tiles).
      var zoom = m.leafletMap ? Math.max(m.leafletMap.getZoom(), SELECT_ZOOM) : SELECT_ZOOM;  // never zooms out
      return [{ type: "FeatureCollection", features: [{ type: "Feature", id: "sel", geometry: f.geometry, properties: { id: "sel", ref: id } }] },
              m.motion({ center: [c[1], c[0]], zoom: zoom, transition: "flyTo" })];
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
        }, function () { resolve([nu(), t["Your browser did not share your location. Type a street address or a neighbourhood in the box instead."]]); }, { timeout: 10000, maximumAge: 60000 });
      });
    },
    // One callback both ways (Dash allows a loop only inside one callback): a filter change writes the
    // URL (dcc.Location pushes a history step); the back button changes the URL, which sets the filters.
    syncUrl: function (types, langs, hood, q, openNow, day, near, search, status, labels) {
      var none = [nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu()];
      var trig = (dc.callback_context.triggered || []).map(function (x) { return x.prop_id; });
      if (trig.length === 1 && trig[0] === "home-url.search") {
        var p = new URLSearchParams(search || "");
        var list = function (k) { return (p.get(k) || "").split(",").filter(Boolean); };
        var d = Number(p.get("day"));
        return [nu(), list("service"), list("lang"), p.get("hood") || null, p.get("q") || "",
                p.get("open") === "now" ? ["open"] : [], d >= 1 && d <= 7 ? d : null, p.get("near") || "",
                p.get("status") || ""];
      }
      var params = new URLSearchParams();
      if (labels.ui && labels.ui !== "en") params.set("ui", labels.ui);
      if (types && types.length) params.set("service", types.join(","));
      if (langs && langs.length) params.set("lang", langs.join(","));
      if (hood) params.set("hood", hood);
      if (q) params.set("q", q);
      if (openNow && openNow.length) params.set("open", "now");
      if (day) params.set("day", String(day));
      if (near && near.query) params.set("near", near.query);
      if (status) params.set("status", status);  // the reader's status lives in the address only, never on the server
      var current = new URLSearchParams(window.location.search);
      var keys = ["ui", "service", "lang", "hood", "q", "open", "day", "near", "status"];
      var same = keys.every(function (k) { return (current.get(k) || "") === (params.get(k) || ""); });
      if (same) return none;
      var qs = params.toString();
      return [qs ? "?" + qs : "", nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu()];
    },
    toggleView: function (n, className, labels) {
      var showMap = !/show-map/.test(className || "");
      if (showMap) releaseTiles();
      m.afterViewChange(showMap);
      return ["elip-panes " + (showMap ? "show-map" : "show-list"), showMap ? labels.t["Show list"] : labels.t["Show map"]];
    },
    clearFilters: function () { return [[], [], null, "", [], null, ""]; },
    widen: function () { return [[], [], null, "", [], null, nu()]; },  // keeps "who I am": widening shows other types, not services the reader cannot use
    // Twin of SUPPORTED_UI and text_direction in elip_map/i18n/locales.py (a unit test compares them).
    setDir: function (search) {
      var root = document.documentElement;
      var tag = m.matchUi(new URLSearchParams(search || "").get("ui"));
      if (tag) {
        root.lang = tag;
        root.dir = m.RTL_UI.indexOf(tag) !== -1 ? "rtl" : "ltr";
      } else if (root.lang && root.lang !== "en" && window.history && history.replaceState) {
        // First visit negotiated from the browser's languages: keep the choice in the URL, so a shared
        // or bookmarked link opens in the same language.
        var params = new URLSearchParams(window.location.search);
        params.set("ui", root.lang);
        history.replaceState(history.state, "", window.location.pathname + "?" + params.toString() + window.location.hash);
      }
      return nu();
    },
  };

  // Select a listing (from its "Show on map" button or a pin reached by keyboard): Dash's select
  // callback highlights the pin, opens its popup and draws its card.
  m.choose = function (id) {
    if (dc.set_props) dc.set_props("home-selected", { data: { id: id, at: Date.now() } });
  };
  // On a phone one pane shows at a time (the toggle button is visible only there).
  m.isPhoneLayout = function () {
    var b = document.getElementById("home-view-toggle");
    return !!(b && b.offsetParent);
  };
  m.afterViewChange = function (showMap) {
    // Leaflet measures its box when it is shown again; after that the selected pin's popup is in view.
    // The selected pin goes back to the centre, its popup with it.
    setTimeout(function () {
      var map = m.leafletMap;
      if (!showMap || !map) return;
      map.invalidateSize({ pan: false });
      if (m.selectedLatLng) map.setView(m.selectedLatLng, Math.max(map.getZoom(), SELECT_ZOOM), { animate: false });
    }, 80);
  };
  m.setView = function (showMap) {
    var t = (m.labels || { t: {} }).t;
    if (!dc.set_props || !m.isPhoneLayout()) return;
    if (showMap) releaseTiles();
    dc.set_props("home-layout", { className: "elip-panes " + (showMap ? "show-map" : "show-list") });
    dc.set_props("home-view-toggle", { children: showMap ? t["Show list"] : t["Show map"] });
    m.afterViewChange(showMap);
    var toggle = document.getElementById("home-view-toggle"), active = document.activeElement;
    // "Show on map" hides the list it sits in: the focus would fall to the page's body (the next Tab starting
    // over from the top). It goes to the toggle, now "Show list", right above the map.
    if (showMap && active && active.closest && active.closest(".elip-list-pane")) toggle.focus({ preventScroll: true });
    // The map starts right below the toggle: bring both into view (the list may have been scrolled far down).
    if (showMap) toggle.scrollIntoView({ block: "start" });
  };
  // "See details" in a pin's popup: back to the list (on a phone), the card drawn, scrolled to and focused.
  m.openCard = function (id) {
    m.setView(false);
    setTimeout(function () {
      var card = document.getElementById("card-" + id);
      if (!card && m.last) { m.selectedId = id; m.drawList(); card = document.getElementById("card-" + id); }
      if (!card) return;
      card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "start" });
    }, 60);
  };
  document.addEventListener("click", function (ev) {
    var target = ev.target.closest ? ev.target : null;
    if (!target) return;
    var b = target.closest("button[data-show]");
    if (b) { m.choose(b.getAttribute("data-show")); m.setView(true); return; }
    var a = target.closest("a[data-card]");
    if (a) { ev.preventDefault(); m.openCard(a.getAttribute("data-card")); return; }
    if (target.closest("#home-retry")) { m.retry(); return; }
    if (target.closest("#home-print")) { m.printList(); return; }
    if (target.closest("#home-share")) { m.share(); return; }
    // The reader asked for a place: the first result of that search gets the focus.
    if (target.closest("#home-near-button, #home-locate-button")) m.wantFocus = true;
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target && ev.target.id === "home-near-input") m.wantFocus = true;
  });
  // "Share": the phone's own share sheet (Web Share API), else the link is copied, else shown to copy.
  m.share = function () {
    var url = window.location.href, t = (m.labels || { t: {} }).t, msg = document.getElementById("home-share-message");
    function say(text, withLink) {
      if (!msg) return;
      msg.replaceChildren(text, withLink ? el("input", { type: "text", readonly: "readonly", value: url, "class": "elip-input",
                                                         "aria-label": t["Link to this search"] }) : "");
      var box = msg.querySelector("input");
      if (box) box.select();
    }
    if (navigator.share) { navigator.share({ title: document.title, url: url }).catch(function () {}); return; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () { say(t["Link copied: paste it in a message or an e-mail."]); },
                                              function () { say(t["Copy this link:"], true); });
    } else {
      say(t["Copy this link:"], true);
    }
  };
  // Printing: every result of the current search (not only the first page), the search written out,
  // the date and the source; the print stylesheet (elip_map.css) leaves out the map and the controls.
  m.describeSearch = function () {
    var last = m.last, labels = last && last.labels;
    if (!last) return "";
    var c = last.criteria || {}, t = labels.t, parts = [];
    if (c.types && c.types.length) parts.push(t["Service type"] + ": " + c.types.map(function (x) { return labels.types[x] || x; }).join(", "));
    if (c.langs && c.langs.length) parts.push(t["Languages"] + ": " + c.langs.map(function (x) { return labels.langs[x] || x; }).join(", "));
    if (c.hood) { var opt = document.querySelector("#home-filter-hood .Select-value-label"); parts.push(t["Neighbourhood"] + ": " + (opt ? opt.textContent : c.hood)); }
    if (c.q) parts.push(t["Search by name"] + ": " + isolate(c.q));
    if (c.open_now) parts.push(t["Open now"]);
    if (c.day) parts.push(t["Open on"] + " " + labels.days[c.day - 1]);
    if (last.near) parts.push(t["Near"] + ": " + isolate(last.near.label));
    return parts.length ? parts.join(" · ") : t["All services"];
  };
  m.writePrintSummary = function () {
    var box = document.getElementById("home-print-summary"), last = m.last;
    if (!box || !last) return;
    var t = last.labels.t, today = new Date(), iso = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" + String(today.getDate()).padStart(2, "0");
    var lacking = m.printIds().some(function (id) { return !m.details[id]; });
    box.replaceChildren(
      el("p", {}, [t["Search"] + ": ", m.describeSearch()]),
      el("p", {}, [m.plural(last.labels, "{n} service", last.ranked.length + last.loose.length), " · ",
                   fmtNodes(t["Printed on {date}"], { date: el("bdi", {}, m.formatDate(iso, last.labels)) })]),
      el("p", {}, fmtNodes(t["Source: ELIP Service Map, {url}"], { url: ltr(window.location.href) })),
      lacking ? el("p", { "class": "elip-print-missing", role: "note" },
                   t["Missing details: some services below are printed without their address and phone, which were not available on this device. To get them, print again with “Print this list” while connected to the internet."]) : null);
  };
  // Every listing the printout holds: placed ones, then "Call or visit online".
  m.printIds = function () {
    var last = m.last;
    if (!last) return [];
    return last.ranked.map(function (r) { return r.f.properties.id; }).concat(last.loose.map(function (f) { return f.properties.id; }));
  };
  // "Print this list" (and Ctrl+P): a printout is read where there may be no phone, so every card on it
  // first gets its address and phone (fetched in batches, like the cards on screen); then the browser
  // prints. Whatever could not be fetched (no network, never saved) is printed as known, and said so.
  var preparingPrint = null;
  m.printList = function () {
    var last = m.last, msg = document.getElementById("home-share-message"), button = document.getElementById("home-print");
    if (!last) { window.print(); return; }
    if (preparingPrint) return;  // pressed again while fetching: the print dialog comes once they are here
    var ids = m.printIds(), t = last.labels.t;
    if (ids.every(function (id) { return m.details[id]; })) { window.print(); return; }
    function say(text) { if (msg && msg.textContent !== text) msg.textContent = text; }
    if (button) button.setAttribute("aria-busy", "true");
    // The line is a live region: a screen reader reads each change, so it changes at most every 2 s.
    var saidAt = -Infinity;
    preparingPrint = m.detailsFor(ids, function (done, total) {
      var now = performance.now();
      if (now - saidAt < 2000) return;
      saidAt = now;
      say(fmt(t["Getting every address and phone number for printing ({done} of {total})…"], { done: done, total: total }));
    }).catch(function () { /* whatever went wrong, the reader still gets the printout of what is known */ }).then(function () {
      preparingPrint = null;
      if (button) button.removeAttribute("aria-busy");
      say("");
      window.print();
    });
  };
  document.addEventListener("keydown", function (ev) {
    var p = ev.code === "KeyP" || String(ev.key).toLowerCase() === "p";
    if (!p || !(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey || !m.last || !document.getElementById("home-print")) return;
    ev.preventDefault();
    m.printList();
  });
  // The browser's own print (its menu): it cannot wait, so the printout holds what is here, each card
  // without its details marked; the missing details are fetched afterwards, for the next print.
  window.addEventListener("beforeprint", function () { m.printing = true; m.drawList(true); m.writePrintSummary(); });
  window.addEventListener("afterprint", function () {
    m.printing = false;
    m.drawList();
    var ids = m.printIds();
    if (!preparingPrint && ids.some(function (id) { return !m.details[id] && !m.detailsMissing[id]; })) m.detailsFor(ids);
  });
  // Load error: its own state with a retry that fetches the directory again (a new address, so no stale answer).
  m.retry = function () {
    if (!dc.set_props || !m.dataUrl) return;
    var base = m.dataUrl.replace(/[&?]retry=\d+$/, "");
    dc.set_props("home-data-url", { data: base + (base.indexOf("?") === -1 ? "?" : "&") + "retry=" + Date.now() });
  };

  // Dash 4's dropdown keeps a hidden input (aria-hidden) as its only Tab stop, which hands the focus on to
  // the real button (tabindex -1); a screen reader cannot name that stop (axe: aria-hidden-focus). So the
  // button itself becomes the Tab stop and the hidden input leaves the Tab order (taking it out alone left
  // the Neighbourhood and day drop-downs out of reach of the keyboard). Dash gives the input its Tab stop
  // back each time the button loses the focus: the watcher below takes it away again. Only the filter
  // panel is watched, not the result list.
  // Dash 4's checklist says role="listbox" with role="option" labels around real checkboxes: a list box
  // with no name whose options hold other controls (axe: aria-input-field-name, nested-interactive).
  // The native checkboxes already say everything, so the list becomes a named group of plain labels.
  // Dash names the drop-down's button by its value alone (aria-labelledby beats <label for>): a screen reader
  // heard "Any neighbourhood, button" or "Strathcona, button" and never "Neighbourhood". The label leads.
  function nameByLabel(button) {
    var label = button.id && document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
    var by = button.getAttribute("aria-labelledby");
    if (!label || !by) return;
    if (!label.id) label.id = button.id + "-label";
    if (by.split(" ")[0] !== label.id) button.setAttribute("aria-labelledby", label.id + " " + by);
  }
  function untabHiddenInputs(root) {
    root.querySelectorAll('.dash-dropdown-focus-target[aria-hidden="true"]').forEach(function (x) {
      if (x.getAttribute("tabindex") !== "-1") x.setAttribute("tabindex", "-1");
      var button = x.nextElementSibling;
      if (button && button.matches("button.dash-dropdown:not([disabled])") && button.getAttribute("tabindex") !== "0")
        button.setAttribute("tabindex", "0");
      if (button) nameByLabel(button);
    });
    root.querySelectorAll('.elip-checks[role="listbox"]').forEach(function (list) {
      list.setAttribute("role", "group");
      var summary = list.closest("details") && list.closest("details").querySelector("summary");
      if (summary && !list.hasAttribute("aria-label")) list.setAttribute("aria-label", summary.textContent);
    });
    root.querySelectorAll('.elip-checks label[role], .elip-checks label[aria-selected]').forEach(function (x) {
      x.removeAttribute("role");
      x.removeAttribute("aria-selected");
    });
  }
  var bodyWatch = new MutationObserver(function () {
    var panel = document.querySelector(".elip-filters");
    if (!panel) return;
    bodyWatch.disconnect();
    untabHiddenInputs(panel);
    new MutationObserver(function () { untabHiddenInputs(panel); }).observe(panel, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["role", "aria-selected", "tabindex", "aria-labelledby"] });
  });
  if (document.body) bodyWatch.observe(document.body, { childList: true, subtree: true });
  else document.addEventListener("DOMContentLoaded", function () { bodyWatch.observe(document.body, { childList: true, subtree: true }); });

  // The language picker (a <details>) closes with Escape, giving focus back to its button, and on a click elsewhere.
  document.addEventListener("keydown", function (ev) {
    var picker = ev.key === "Escape" && ev.target.closest && ev.target.closest("details.elip-ui-picker[open]");
    if (!picker) return;
    picker.open = false;
    picker.querySelector("summary").focus();
  });
  document.addEventListener("click", function (ev) {
    document.querySelectorAll("details.elip-ui-picker[open]").forEach(function (d) {
      if (!d.contains(ev.target)) d.open = false;
    });
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
