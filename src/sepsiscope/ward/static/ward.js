/* sepsiscope ward pages: the small amount of script the pages use (everything works without it).
 *
 * 1. After HTMX swaps the ward table in, say so in the status line only when its words change
 *    (a screen reader hears new alerts, not a repeat every 5 s).
 * 2. On a patient page, draw the uPlot charts from the JSON the server embedded, with alert,
 *    event and time-zero marks on the one time axis; the data tables then fold away.
 * No inline script, no eval: the content security policy allows scripts from this server only.
 */
(function () {
  "use strict";

  function onSwap(event) {
    var body = document.getElementById("ward-rows");
    if (!body || !event.detail || event.detail.target.id !== "ward-rows") { return; }
    var status = document.getElementById("ward-status");
    var summary = body.getAttribute("data-summary");
    if (status && summary && status.textContent !== summary) { status.textContent = summary; }
    var loaded = document.getElementById("loaded-at");
    if (loaded) { loaded.textContent = body.getAttribute("data-loaded") || loaded.textContent; }
  }
  document.addEventListener("htmx:afterSettle", onSwap);

  var COLOURS = ["#1d4e89", "#b3261e", "#0b6e4f", "#6a3d9a", "#8a5a00", "#3a3a3a"];
  var DASHES = [[], [6, 3], [2, 3], [10, 3, 2, 3], [4, 4], [1, 2]];
  var MARK = { emergency: "#b3261e", urgent: "#8a5a00", event: "#4a4a4a", t0: "#1d4e89" };

  function utc(ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); }

  function marks(data) {
    return {
      hooks: {
        draw: [function (u) {
          var c = u.ctx, top = u.bbox.top, bottom = u.bbox.top + u.bbox.height;
          var px = window.devicePixelRatio || 1;
          function line(t, colour, dash, label) {
            var x = Math.round(u.valToPos(t, "x", true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) { return; }
            c.save();
            c.strokeStyle = colour; c.fillStyle = colour; c.lineWidth = 2 * px;
            c.setLineDash(dash.map(function (d) { return d * px; }));
            c.beginPath(); c.moveTo(x, top); c.lineTo(x, bottom); c.stroke();
            c.font = (12 * px) + "px system-ui, sans-serif"; c.textAlign = "center";
            c.fillText(label, x, top + 12 * px);
            c.restore();
          }
          data.events.forEach(function (e) { line(e.t, MARK.event, [2, 3], "●"); });
          data.alerts.forEach(function (a) { line(a.t, MARK[a.level] || MARK.urgent, [], a.level === "emergency" ? "▲" : "◆"); });
          if (data.t0 !== null) { line(data.t0, MARK.t0, [8, 4], "T0"); }
        }]
      }
    };
  }

  function drawPanel(holder, panel, data, sync, range) {
    var box = document.createElement("figure");
    box.className = "chart";
    var caption = document.createElement("figcaption");
    caption.textContent = panel.title;
    box.appendChild(caption);
    holder.appendChild(box);
    if (!panel.series.length || !panel.x.length) {
      var none = document.createElement("p");
      none.className = "none";
      none.textContent = "No data.";
      box.appendChild(none);
      return null;
    }
    var series = [{ label: "Time (UTC)" }];
    var values = [panel.x];
    panel.series.forEach(function (s, i) {
      series.push({ label: s.label, stroke: COLOURS[i % COLOURS.length], dash: DASHES[i % DASHES.length],
        width: 2, spanGaps: true, points: { show: true, size: 5 } });
      values.push(s.values);
    });
    var opts = {
      width: Math.max(280, holder.clientWidth - 8), height: 200, tzDate: utc, series: series,
      scales: { x: { time: true, range: function () { return range; } } },
      cursor: { sync: { key: sync.key } }, legend: { live: true }, plugins: [marks(data)]
    };
    return new uPlot(opts, values, box);
  }

  function drawCharts() {
    var holder = document.getElementById("charts");
    var source = document.getElementById("chart-data");
    if (!holder || !source || typeof uPlot === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var xs = [];
    data.panels.forEach(function (p) { xs = xs.concat(p.x); });
    data.alerts.concat(data.events).forEach(function (m) { xs.push(m.t); });
    if (data.t0 !== null) { xs.push(data.t0); }
    if (!xs.length) { return; }
    var lo = Math.min.apply(null, xs) - 1800, hi = Math.max.apply(null, xs) + 1800;
    holder.hidden = false;
    var sync = uPlot.sync("patient");
    var plots = data.panels.map(function (p) { return drawPanel(holder, p, data, sync, [lo, hi]); });
    document.querySelectorAll("details.data").forEach(function (d) { d.open = false; });
    window.addEventListener("resize", function () {
      plots.forEach(function (u) { if (u) { u.setSize({ width: Math.max(280, holder.clientWidth - 8), height: 200 }); } });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
