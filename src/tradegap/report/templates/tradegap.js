/* tradegap: render every .tg-chart div (figure JSON in data-figure) with Plotly. */
(function () {
  "use strict";
  /* On a narrow screen (a phone): legends below the plot, titles wrapped, wide left margins
     given back to the plot (long category labels shortened, whole on hover), so that no chart
     is squeezed to nothing at 390 px. */
  function wrap(text, width) {
    var lines = [], line = "";
    String(text).split("<br>").join(" ").split(" ").forEach(function (w) {
      if (line && (line + " " + w).length > width) { lines.push(line); line = w; }
      else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function narrow(data, layout) {
    if (window.innerWidth > 700) { return layout; }
    var out = Object.assign({}, layout);
    var width = Math.max(24, Math.floor((window.innerWidth - 40) / 8));
    var below = -Math.min(0.25, 80 / (layout.height || 450));  /* just under the x axis */
    out.legend = Object.assign({}, layout.legend || {}, {orientation: "h", x: 0, xanchor: "left",
                                                        y: below, yanchor: "top"});
    var m = Object.assign({}, layout.margin || {});
    m.r = Math.min(m.r === undefined ? 80 : m.r, 20);
    m.l = Math.min(m.l === undefined ? 80 : m.l, 40);
    var title = layout.title && (layout.title.text !== undefined ? layout.title.text : layout.title);
    if (title && typeof title === "string") {
      var lines = wrap(title, width);
      out.title = Object.assign({}, typeof layout.title === "object" ? layout.title : {},
                                {text: lines.join("<br>"), font: {size: 13}, x: 0,
                                 xanchor: "left"});
      m.t = Math.max(m.t === undefined ? 80 : m.t, 24 + 17 * lines.length);
    }
    out.margin = m;
    var yaxis = Object.assign({}, layout.yaxis || {}, {automargin: true});
    var bars = data.filter(function (t) { return t.orientation === "h" && t.y; });
    if (bars.length) {
      var seen = {}, vals = [];
      bars.forEach(function (t) { t.y.forEach(function (v) {
        if (!seen[v]) { seen[v] = 1; vals.push(v); } }); });
      yaxis.tickmode = "array";
      yaxis.tickvals = vals;
      yaxis.ticktext = vals.map(function (v) {
        v = String(v); return v.length > 18 ? v.slice(0, 17) + "…" : v; });
    }
    out.yaxis = yaxis;
    return out;
  }
  function render(root) {
    if (typeof Plotly === "undefined") { return; }
    if (document.documentElement.hasAttribute("data-print")) { renderPrinted(); return; }
    var nodes = (root || document).querySelectorAll(".tg-chart[data-figure]");
    nodes.forEach(function (el) {
      if (el.getAttribute("data-rendered")) { return; }
      var fig = JSON.parse(el.getAttribute("data-figure"));
      Plotly.newPlot(el, fig.data, narrow(fig.data || [], fig.layout || {}),
                     {responsive: true, displaylogo: false});
      el.setAttribute("data-rendered", "1");
    });
  }
  /* A document printed to PDF (<html data-print>): static charts as wide as the page's text,
     drawn while the rest of the page is set aside (Plotly measures its labels many times, and
     in a document of twenty printed pages each measurement lays out the whole document), then
     put back where they were. window.tradegapChartsDrawn settles when they are (the printer
     waits for it). */
  function renderPrinted() {
    var nodes = Array.prototype.slice.call(
      document.querySelectorAll(".tg-chart[data-figure]:not([data-rendered])"));
    var styles = nodes.map(function (el) { return getComputedStyle(el); });  /* one layout */
    var boxes = styles.map(function (st) { return st.width; });
    var widths = nodes.map(function (el, i) {  /* the content box: inside padding and border */
      return el.clientWidth - parseFloat(styles[i].paddingLeft) -
        parseFloat(styles[i].paddingRight); });
    var places = nodes.map(function (el) {
      var place = document.createComment("chart");
      el.replaceWith(place);
      return place;
    });
    var page = document.createDocumentFragment();
    while (document.body.firstChild) { page.appendChild(document.body.firstChild); }
    var drawn = nodes.map(function (el, i) {
      var fig = JSON.parse(el.getAttribute("data-figure"));
      document.body.appendChild(el);
      el.style.width = boxes[i];  /* the box it has in the page, whatever its box-sizing */
      el.setAttribute("data-rendered", "1");
      return Plotly.newPlot(el, fig.data, Object.assign({}, fig.layout || {},
        {width: widths[i] || undefined, autosize: false}), {staticPlot: true});
    });
    window.tradegapChartsDrawn = Promise.all(drawn).then(function () {
      nodes.forEach(function (el, i) { el.style.width = ""; places[i].replaceWith(el); });
      document.body.appendChild(page);
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
      function apply(th, col, asc) {
        var numeric = th.getAttribute("data-numeric") === "1";
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
      heads.forEach(function (th, col) {
        th.setAttribute("tabindex", "0");
        function go() {
          var numeric = th.getAttribute("data-numeric") === "1";
          var current = th.getAttribute("aria-sort");  /* first click: numbers high to low */
          var asc = current ? current === "descending" : !numeric;
          apply(th, col, asc);
          if (table.getAttribute("data-url-sort") && th.getAttribute("data-col")) {
            /* the sorted column goes into the address: a reload sorts the same way */
            var url = new URL(window.location.href);
            url.searchParams.set("sort", th.getAttribute("data-col"));
            url.searchParams.set("order", asc ? "asc" : "desc");
            window.history.replaceState(null, "", url.pathname + url.search);
          }
        }
        th.addEventListener("click", go);
        th.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
        if (table.getAttribute("data-sort") === th.getAttribute("data-col")) {
          apply(th, col, table.getAttribute("data-order") === "asc");
        }
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

/* Controls that swap part of a page by HTMX (GET) keep the page's address in step: an element
   with data-url="/page" (a form, or a sort link) writes the request's query with each answer, so
   reloading or sharing the address shows the same view (the page reads the same parameters).
   Hidden inputs of the form follow too (a sort link changes sort and order). */
document.addEventListener("htmx:beforeOnLoad", function (e) {  /* before the swap detaches a
  sort link */
  var elt = e.detail.elt, xhr = e.detail.xhr;
  if (!elt || !xhr || xhr.status < 200 || xhr.status >= 300) { return; }
  var holder = elt.closest ? elt.closest("[data-url]") : null;
  if (!holder) { return; }
  var method = (e.detail.requestConfig && e.detail.requestConfig.verb) || "get";
  if (String(method).toLowerCase() !== "get") { return; }
  var search = new URL(xhr.responseURL || window.location.href).search;
  window.history.replaceState(null, "", holder.getAttribute("data-url") + search);
  var form = document.querySelector("form[data-url='" + holder.getAttribute("data-url") + "']");
  if (form && form !== holder) {
    new URLSearchParams(search).forEach(function (v, k) {
      var input = form.querySelector("input[type=hidden][name='" + k + "']");
      if (input) { input.value = v; }
    });
  }
});
