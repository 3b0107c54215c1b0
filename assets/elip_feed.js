/* ELIP Service Map: the compact locations feed, decoded into the features the page uses.
 *
 * Twin of elip_map/api/compact.py (decode_feed): columns, integer codes and fixed-point positions
 * become GeoJSON-like features ({type, id, geometry, properties}) with the GeoJSON feed's properties
 * less the card details; a listing with no position gets geometry null. tests/unit/test_compact_feed.py and
 * tests/browser/test_feed_twin.py hold the two decoders to one truth table.
 */
(function () {
  "use strict";
  var ns = (window.elip = window.elip || {});
  var feed = (ns.feed = ns.feed || {});
  var FORMAT = "elip-feed/2";
  var READABLE = [FORMAT, "elip-feed/1"];  // a copy saved by an older page still opens (extra columns unread)
  // Same order as FEED_FIELDS in elip_map/api/feed.py: properties come out in the same order. A card's
  // details (address, phones, notes...) are not in the feed: elip.map fetches them per page of cards.
  var FIELDS = ["organization", "name", "unplaced", "types", "langs", "services", "elig", "elig_unknown", "ages",
                "gender", "fee_levels", "hours", "hood", "hood_name", "text", "sort"];
  var SORT_WIDTH = 7;

  function empty(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0); }
  function pad(i) { var s = String(i); while (s.length < SORT_WIDTH) s = "0" + s; return s; }
  // Twin of search_text(): the folding rule is elip.map.normalize (assets/elip_map.js).
  feed.searchText = function (org, name, services) {
    var fold = (ns.map && ns.map.normalize) || function (x) { return String(x).toLowerCase(); };
    return fold([org || "", name || ""].concat(services || []).join(" "));
  };
  feed.isCompact = function (doc) { return !!doc && READABLE.indexOf(doc.format) !== -1; };
  feed.decode = function (doc) {
    if (!feed.isCompact(doc)) throw new Error("not an " + FORMAT + " document");
    var c = doc.cols, scale = doc.scale, lat0 = doc.origin[0], lon0 = doc.origin[1], out = new Array(doc.n);
    var round5 = function (v) { return Math.round(v * 1e5) / 1e5; };
    for (var i = 0; i < doc.n; i++) {
      var id = doc.id_prefix + c.id[i], org = c.org[i], hood = c.hood[i];
      var orgName = org === null ? null : doc.orgs[org];
      var coded = {
        organization: orgName,
        types: c.types[i] === null ? [] : doc.types[c.types[i]].slice(),
        langs: c.langs[i] === null ? [] : doc.langs[c.langs[i]].slice(),
        hours: c.hours[i] === null ? [] : doc.hours[c.hours[i]].map(function (h) { return h.slice(); }),
        hood: hood === null ? null : doc.hoods[hood][0],
        hood_name: hood === null ? null : doc.hoods[hood][1],
        text: c.text[i] !== null ? c.text[i] : feed.searchText(orgName, c.name[i], c.services[i]),
        sort: pad(i),
      };
      var props = { id: id };
      for (var k = 0; k < FIELDS.length; k++) {
        var key = FIELDS[k], v = Object.prototype.hasOwnProperty.call(coded, key) ? coded[key] : c[key][i];
        if (!empty(v)) props[key] = v;
      }
      var lat = c.lat[i], lon = c.lon[i];
      var geometry = lat === null || lon === null ? null
        : { type: "Point", coordinates: [round5((lon + lon0) / scale), round5((lat + lat0) / scale)] };
      out[i] = { type: "Feature", id: id, geometry: geometry, properties: props };
    }
    return out;
  };
  // The page's collection: a FeatureCollection, whichever feed the server sent.
  feed.toCollection = function (doc) {
    return feed.isCompact(doc) ? { type: "FeatureCollection", features: feed.decode(doc), fetched: doc.fetched } : doc;
  };
})();
