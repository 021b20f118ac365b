// Makes each chart of a published post interactive: Vega renders the Vega-Lite spec that
// sits beside the chart's SVG, with tooltips and zoom, and the SVG gives way to it. When
// anything fails (no script, an old browser, a spec Vega refuses), the SVG stays.
(function () {
  "use strict";
  // A chart loads nothing: its data is inlined, and nothing in a spec may fetch or open
  // an address (data urls, images, links), whoever wrote the notebook.
  var refuse = function () { return Promise.reject(new Error("a published chart loads nothing")); };
  var loader = { load: refuse, sanitize: refuse, http: refuse, file: refuse };

  // The hovered mark's fields in a small table beside the pointer (Vega's default is the
  // browser's title attribute: slow to appear, one plain line). Text only: a channel's
  // name is whatever its creator typed.
  var tip = null;
  function showTooltip(handler, event, item, value) {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "vega-tooltip";
      tip.style.cssText = "position: fixed; z-index: 10; pointer-events: none; max-width: 420px;" +
        " background: #fff; border: 1px solid #bbb; border-radius: 3px; padding: 4px 8px;" +
        " font: 12px/1.4 sans-serif; box-shadow: 0 1px 4px rgba(0, 0, 0, .15)";
      document.body.appendChild(tip);
    }
    var rows = value && typeof value === "object" ? Object.entries(value)
      : value != null && value !== "" ? [["", value]] : [];
    rows = rows.filter(function (row) { return row[1] !== "" && row[1] != null; });
    if (!rows.length) { tip.style.display = "none"; return; }
    tip.textContent = "";
    rows.forEach(function (row) {
      var line = document.createElement("div");
      var name = document.createElement("span");
      name.style.color = "#666";
      name.textContent = row[0] ? row[0] + ": " : "";
      line.appendChild(name);
      line.appendChild(document.createTextNode(String(row[1])));
      tip.appendChild(line);
    });
    tip.style.display = "block";
    tip.style.left = Math.max(4, Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 4)) + "px";
    tip.style.top = (event.clientY + 14) + "px";
  }

  function render(box) {
    var source = box.querySelector('script[type="application/json"]');
    if (!source || !window.vega || !window.vegaLite) return;
    try {
      var spec = window.vegaLite.compile(JSON.parse(source.textContent)).spec;
      var target = document.createElement("div");
      target.className = "vega-view";
      var view = new window.vega.View(window.vega.parse(spec), {
        renderer: "svg", container: target, hover: true, loader: loader, tooltip: showTooltip
      });
      view.runAsync().then(function () {
        var still = box.querySelector("img");
        if (still) still.remove();
        box.insertBefore(target, box.firstChild);
        box.classList.add("interactive");
      }).catch(function (e) { console.warn("chart left static:", e); });
    } catch (e) {
      console.warn("chart left static:", e);
    }
  }

  document.querySelectorAll(".vega-chart").forEach(render);
})();
