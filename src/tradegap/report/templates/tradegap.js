/* tradegap: render every .tg-chart div (figure JSON in data-figure) with Plotly. */
(function () {
  "use strict";
  function render(root) {
    if (typeof Plotly === "undefined") { return; }
    var nodes = (root || document).querySelectorAll(".tg-chart[data-figure]");
    nodes.forEach(function (el) {
      if (el.getAttribute("data-rendered")) { return; }
      var fig = JSON.parse(el.getAttribute("data-figure"));
      Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
      el.setAttribute("data-rendered", "1");
    });
  }
  window.tradegapRender = render;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(document); });
  } else {
    render(document);
  }
  document.addEventListener("htmx:afterSettle", function (e) { render(e.target); });
})();
