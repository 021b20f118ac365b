// Makes each chart of a published post interactive: Vega renders the Vega-Lite spec that
// sits beside the chart's SVG, with tooltips and zoom, and the SVG gives way to it. When
// anything fails (no script, an old browser, a spec Vega refuses), the SVG stays.
(function () {
  "use strict";
  // A chart loads nothing: its data is inlined, and nothing in a spec may fetch or open
  // an address (data urls, images, links), whoever wrote the notebook.
  var refuse = function () { return Promise.reject(new Error("a published chart loads nothing")); };
  var loader = { load: refuse, sanitize: refuse, http: refuse, file: refuse };

  function render(box) {
    var source = box.querySelector('script[type="application/json"]');
    if (!source || !window.vega || !window.vegaLite) return;
    try {
      var spec = window.vegaLite.compile(JSON.parse(source.textContent)).spec;
      var target = document.createElement("div");
      target.className = "vega-view";
      var view = new window.vega.View(window.vega.parse(spec), {
        renderer: "svg", container: target, hover: true, loader: loader
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
