/* superpod report: sortable, filterable, paginated tables and pan/zoom diagrams.
   Hand-written vanilla JS, no network. Table rows live in JSON blocks; only one page of
   rows is ever in the DOM. */
"use strict";
(function () {
  var PAGE = 100;

  function text(v) { return v === null || v === undefined ? "" : String(v); }

  function cmp(a, b) {
    var na = typeof a === "number", nb = typeof b === "number";
    if (na && nb) { return a - b; }
    if (a === null || a === undefined || a === "") { return (b === null || b === undefined || b === "") ? 0 : 1; }
    if (b === null || b === undefined || b === "") { return -1; }
    return text(a).localeCompare(text(b), undefined, {numeric: true});
  }

  function fmt(v) {
    if (typeof v === "number") {
      return Number.isInteger(v) ? v.toLocaleString("en-US")
        : v.toLocaleString("en-US", {maximumFractionDigits: 2});
    }
    return text(v);
  }

  function Table(root) {
    var spec = JSON.parse(document.getElementById(root.dataset.source).textContent);
    var cols = spec.columns, all = spec.rows, view = all, page = 0, sortCol = -1, dir = 1;
    var table = root.querySelector("table"), tbody = table.querySelector("tbody");
    var info = root.querySelector(".info"), filter = root.querySelector("input.filter");
    var prev = root.querySelector("button.prev"), next = root.querySelector("button.next");
    var thead = table.querySelector("thead tr");
    cols.forEach(function (c, i) {
      var th = document.createElement("th");
      th.textContent = c;
      th.setAttribute("data-col", String(i));
      th.addEventListener("click", function () { sortBy(i); });
      thead.appendChild(th);
    });
    function sortBy(i) {
      dir = sortCol === i ? -dir : 1;
      sortCol = i;
      view = view.slice().sort(function (a, b) { return dir * cmp(a[i], b[i]); });
      Array.prototype.forEach.call(thead.children, function (th, k) {
        if (k === i) { th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending"); }
        else { th.removeAttribute("aria-sort"); }
      });
      page = 0;
      draw();
    }
    function apply() {
      var q = filter.value.trim().toLowerCase();
      var words = q ? q.split(/\s+/) : [];
      view = words.length === 0 ? all : all.filter(function (r) {
        var line = r.map(text).join(" \u0001 ").toLowerCase();
        return words.every(function (w) { return line.indexOf(w) >= 0; });
      });
      if (sortCol >= 0) { var c = sortCol; dir = -dir; sortBy(c); return; }
      page = 0;
      draw();
    }
    function draw() {
      var start = page * PAGE, rows = view.slice(start, start + PAGE);
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        r.forEach(function (v) {
          var td = document.createElement("td");
          td.textContent = fmt(v);
          if (typeof v === "number") { td.className = "num"; }
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      });
      tbody.replaceChildren(frag);
      var end = Math.min(start + PAGE, view.length);
      info.textContent = view.length === 0 ? "no rows match" :
        "rows " + (start + 1).toLocaleString("en-US") + "\u2013" + end.toLocaleString("en-US") +
        " of " + view.length.toLocaleString("en-US") +
        (view.length !== all.length ? " (filtered from " + all.length.toLocaleString("en-US") + ")" : "");
      prev.disabled = page === 0;
      next.disabled = end >= view.length;
    }
    var timer = null;
    filter.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, 120);
    });
    prev.addEventListener("click", function () { if (page > 0) { page--; draw(); } });
    next.addEventListener("click", function () {
      if ((page + 1) * PAGE < view.length) { page++; draw(); }
    });
    draw();
  }

  function Diagram(root) {
    var vp = root.querySelector(".viewport"), canvas = root.querySelector(".canvas");
    var svg = canvas.querySelector("svg");
    var s = 1, x = 0, y = 0, drag = null;
    function set() {
      canvas.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")";
      root.dataset.scale = s.toFixed(4);
      var label = root.querySelector(".zoom");
      if (label) { label.textContent = Math.round(s * 100) + " %"; }
    }
    function fit() {
      var w = svg.width.baseVal.value || svg.getBoundingClientRect().width;
      var h = svg.height.baseVal.value || svg.getBoundingClientRect().height;
      var vw = vp.clientWidth, vh = vp.clientHeight;
      s = Math.min(vw / w, vh / h, 1);
      x = (vw - w * s) / 2;
      y = (vh - h * s) / 2;
      set();
    }
    function zoomAt(f, cx, cy) {
      var ns = Math.max(0.05, Math.min(s * f, 20));
      x = cx - (cx - x) * (ns / s);
      y = cy - (cy - y) * (ns / s);
      s = ns;
      set();
    }
    vp.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = vp.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    vp.addEventListener("pointerdown", function (e) {
      drag = {x: e.clientX - x, y: e.clientY - y};
      vp.classList.add("dragging");
    });
    window.addEventListener("pointermove", function (e) {
      if (drag) { x = e.clientX - drag.x; y = e.clientY - drag.y; set(); }
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      vp.classList.remove("dragging");
    });
    root.querySelector("button.zin").addEventListener("click", function () {
      zoomAt(1.25, vp.clientWidth / 2, vp.clientHeight / 2);
    });
    root.querySelector("button.zout").addEventListener("click", function () {
      zoomAt(1 / 1.25, vp.clientWidth / 2, vp.clientHeight / 2);
    });
    root.querySelector("button.zfit").addEventListener("click", fit);
    root.querySelector("button.z100").addEventListener("click", function () {
      s = 1; x = 0; y = 0; set();
    });
    fit();
  }

  document.querySelectorAll(".table-widget").forEach(function (el) { Table(el); });
  document.querySelectorAll(".diagram").forEach(function (el) { Diagram(el); });
  document.body.dataset.ready = "1";
})();
