/* Coverage page (staff): Leaflet function props and the print button.
 *
 * window.elipCoverage.map.*              style, tooltip, filter and marker functions (referenced by name
 *                                        from elip_map/pages/coverage.py); colours and the pin filter
 *                                        arrive through each layer's `hideout`.
 * window.dash_clientside.elip_coverage.*  clientside callbacks.
 *
 * Text from data is only ever set with textContent, never as HTML.
 */
(function () {
  "use strict";
  var ns = (window.elipCoverage = window.elipCoverage || {});
  var m = (ns.map = ns.map || {});
  var NO_DATA = "#bdbdbd";

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text === undefined || text === null ? "" : String(text);
    return span;
  }

  m.zoneStyle = function (feature, context) {
    var hideout = (context && context.hideout) || {};
    var colours = hideout.colours || {};
    var colour = colours[feature.properties.number] || NO_DATA;
    return { fillColor: colour, fillOpacity: 0.72, color: "#ffffff", weight: 0.7, opacity: 1, className: "coverage-zone" };
  };
  m.selectedStyle = function () {
    return { fill: false, color: "#e8590c", weight: 4, opacity: 1, className: "coverage-zone-selected" };
  };
  m.zoneTooltip = function (feature, layer) {
    layer.bindTooltip(textNode(feature.properties.name), { sticky: true });
  };
  m.pinFilter = function (feature, context) {
    var h = (context && context.hideout) || {};
    var p = feature.properties || {};
    if (!h.service) return false;
    if (h.language) return (p.offers || []).indexOf(h.service + "|" + h.language) >= 0;
    return (p.types || []).indexOf(h.service) >= 0;
  };
  m.pinToLayer = function (feature, latlng) {
    var marker = L.circleMarker(latlng, { radius: 6, weight: 2, color: "#111111", fillColor: "#ffffff",
                                          fillOpacity: 1, className: "coverage-pin" });
    marker.bindTooltip(textNode(feature.properties.label));
    return marker;
  };

  var dc = (window.dash_clientside = window.dash_clientside || {});
  dc.elip_coverage = {
    print: function (n) {
      if (n) { window.print(); }
      return n || 0;
    },
    // A right-to-left reader starts at the right: the table's frame is left-to-right with its columns
    // reversed (coverage.css), so a table wider than the screen opens scrolled to its right end, where the
    // rank and the neighbourhood are.
    rtlStart: function (data) {
      if (document.documentElement.dir === "rtl") {
        // The rows are drawn some frames after the data arrives, and much later while DataTable's own script
        // (loaded on demand) is still on its way to a slow or busy phone: wait for them by the clock (up to
        // 30 s), then give their widths 60 frames to settle.
        var deadline = Date.now() + 30000, settle = 60;
        var toEnd = function () {
          var box = document.querySelector(".coverage-page .dash-spreadsheet-container");
          var drawn = box && box.querySelector("td");
          if (drawn && box.scrollWidth > box.clientWidth) {
            box.scrollLeft = box.scrollWidth;
          } else if (drawn ? --settle > 0 : Date.now() < deadline) {
            window.requestAnimationFrame(toEnd);
          }
        };
        window.requestAnimationFrame(toEnd);
      }
      return (data || []).length;
    },
  };
})();
