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
  /* Tables with class tg-sortable: a click on a heading sorts the rows by that column (cells
     carry their raw value in data-v; numeric columns say data-numeric). */
  function sortable(root) {
    var tables = (root || document).querySelectorAll("table.tg-sortable");
    tables.forEach(function (table) {
      if (table.getAttribute("data-sortable")) { return; }
      table.setAttribute("data-sortable", "1");
      var heads = table.querySelectorAll("thead th");
      heads.forEach(function (th, col) {
        th.setAttribute("tabindex", "0");
        function go() {
          var numeric = th.getAttribute("data-numeric") === "1";
          var current = th.getAttribute("aria-sort");  /* first click: numbers high to low */
          var asc = current ? current === "descending" : !numeric;
          heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
            if (numeric) {
              var nx = x === "" ? NaN : parseFloat(x), ny = y === "" ? NaN : parseFloat(y);
              if (isNaN(nx) || isNaN(ny)) { return isNaN(nx) - isNaN(ny); }
              return asc ? nx - ny : ny - nx;
            }
            return asc ? x.localeCompare(y) : y.localeCompare(x);
          });
          rows.forEach(function (r) { body.appendChild(r); });
        }
        th.addEventListener("click", go);
        th.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
      });
    });
  }
  function all(root) { render(root); sortable(root); }
  window.tradegapRender = render;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { all(document); });
  } else {
    all(document);
  }
  document.addEventListener("htmx:afterSettle", function (e) { all(e.target); });
})();

/* The Plan form's settings follow into the URL after each re-solve, so reloading or sharing
   the address shows the same plan (the page reads them back). */
document.addEventListener("htmx:afterRequest", function (e) {
  var form = e.target;
  if (!form || form.id !== "plan-form" || !e.detail.successful) { return; }
  var params = new URLSearchParams();
  new FormData(form).forEach(function (v, k) { if (String(v) !== "") { params.append(k, v); } });
  window.history.replaceState(null, "", "/plan?" + params.toString());
});
