/* superpod report: sortable, filterable, paginated tables and pan/zoom diagrams.
   Hand-written vanilla JS, no network. Table rows live in JSON blocks; on screen only one page
   of rows is in the DOM, printed every row is. Findings link to diagram nodes and cut-sheet
   rows, and back. */
"use strict";
(function () {
  var PAGE = 100;
  var tables = {};

  function text(v) { return v === null || v === undefined ? "" : String(v); }

  function cmp(a, b) {
    var na = typeof a === "number", nb = typeof b === "number";
    if (na && nb) { return a - b; }
    if (a === null || a === undefined || a === "") { return (b === null || b === undefined || b === "") ? 0 : 1; }
    if (b === null || b === undefined || b === "") { return -1; }
    return text(a).localeCompare(text(b), undefined, {numeric: true});
  }

  /* superpod_iac/numbers.py `num`, the one number format: thousands separators, no decimals
     from 1,000, one below, two significant digits below 1, no trailing zeros; rounding half
     to even on the exact binary value, as Python's format does (a browser test compares). */
  function fixed(m, d) {
    if (d > 20) {  /* below 1e-19: two significant digits, written out */
      var p = m.toPrecision(2).split("e-");
      return "0." + "0".repeat(Number(p[1]) - 1) + p[0].replace(".", "");
    }
    var s = m.toFixed(d);
    var exact = m.toFixed(Math.min(100, d + 80));
    var dot = exact.indexOf(".");
    var cut = dot + (d ? 1 + d : 0);
    if (/^\.?50*$/.test(exact.slice(cut))) {
      var down = exact.slice(0, cut);
      if (/[02468]$/.test(down)) { return down; }
    }
    return s;
  }
  function fmt(v) {
    if (typeof v !== "number") { return text(v); }
    if (!isFinite(v)) { return v !== v ? "nan" : (v > 0 ? "inf" : "-inf"); }
    if (v === 0) { return "0"; }
    var m = Math.abs(v), d;
    if (Number.isInteger(v) || m >= 1e21) { d = 0; }
    else if (m >= 1000) { d = 0; }
    else if (m >= 1) { d = 1; }
    else { d = Math.max(1, 1 - Math.floor(Math.log10(m))); }
    var s = m >= 1e21 ? String(m) : fixed(m, d);
    if (s.indexOf(".") >= 0) { s = s.replace(/0+$/, "").replace(/\.$/, ""); }
    var parts = s.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    s = parts.join(".");
    return (v < 0 && s !== "0") ? "-" + s : s;
  }
  window.superpodFormat = fmt;

  var ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"};
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; }); }

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function Table(root) {
    var spec = json(root.dataset.source);
    var cols = spec.columns, all = spec.rows, view = all, page = 0, sortCol = -1, dir = 1;
    var printing = false, subject = null;
    var table = root.querySelector("table"), tbody = table.querySelector("tbody");
    var info = root.querySelector(".info"), filter = root.querySelector("input.filter");
    var prev = root.querySelector("button.prev"), next = root.querySelector("button.next");
    var thead = table.querySelector("thead tr");
    var pin = root.hasAttribute("data-pin");
    var printCols = root.dataset.printCols ? Number(root.dataset.printCols) : cols.length;
    var keys = pin ? (json("cut-keys") || []) : [], links = pin ? (json("cut-findings") || {}) : {};
    var ab = {};
    cols.forEach(function (c, i) { if (/^[ab]_/.test(c)) { ab[i] = c.charAt(0); } });
    cols.forEach(function (c, i) {
      var th = document.createElement("th"), b = document.createElement("button");
      th.setAttribute("scope", "col");
      th.setAttribute("data-col", String(i));
      th.setAttribute("data-name", c);
      th.setAttribute("aria-sort", "none");
      if (pin && i === 0) { th.className = "pin"; }
      if (i >= printCols) { th.classList.add("aux"); }
      b.type = "button";
      b.textContent = c;
      b.addEventListener("click", function () { sortBy(i); });
      th.appendChild(b);
      thead.appendChild(th);
    });
    function rowKeys(r) {
      return keys.map(function (k) { return k.map(function (i) { return text(r[i]); }).join("/"); });
    }
    function sortBy(i) {
      dir = sortCol === i ? -dir : 1;
      sortCol = i;
      view = view.slice().sort(function (a, b) { return dir * cmp(a[i], b[i]); });
      Array.prototype.forEach.call(thead.children, function (th, k) {
        th.setAttribute("aria-sort", k === i ? (dir > 0 ? "ascending" : "descending") : "none");
      });
      page = 0;
      draw();
    }
    function apply() {
      var q = filter.value.trim().toLowerCase();
      var words = q ? q.split(/\s+/) : [];
      if (subject !== null && q !== subject.toLowerCase()) { subject = null; }
      if (subject !== null) {
        view = all.filter(function (r) { return rowKeys(r).indexOf(subject) >= 0; });
      } else {
        view = words.length === 0 ? all : all.filter(function (r) {
          var line = r.map(text).join(" \u0001 ").toLowerCase();
          return words.every(function (w) { return line.indexOf(w) >= 0; });
        });
      }
      if (sortCol >= 0) { var c = sortCol; dir = -dir; sortBy(c); return; }
      page = 0;
      draw();
    }
    function cell(tr, r, v, i) {
      var td = document.createElement("td");
      td.textContent = fmt(v);
      if (typeof v === "number") { td.className = "num"; }
      if (pin && i === 0) {
        td.className = "pin";
        rowKeys(r).forEach(function (k) {
          (links[k] || []).forEach(function (f) {
            var a = document.createElement("a");
            a.href = "#" + f[0];
            a.className = "finding-link";
            a.textContent = "\u2691 " + f[1];
            a.title = "finding " + f[1] + " on " + k;
            td.appendChild(a);
          });
        });
      } else if (pin && ab[i] === "a") { td.className += " ab"; }
      if (i >= printCols) { td.classList.add("aux"); }
      tr.appendChild(td);
    }
    /* Printed, every row: written as one HTML string (each text escaped for HTML here, its
       sink), printed columns only, which is ~10x faster than a DOM node per cell. */
    function printRow(r) {
      var out = "<tr>";
      for (var i = 0; i < printCols; i++) {
        var v = r[i], cls = typeof v === "number" ? "num" : (pin && i === 0 ? "pin" : "");
        var shown = esc(fmt(v));
        if (pin && i === 0) { shown = shown.replace(/\//g, "/<wbr>"); }  /* A end / B end */
        out += (cls ? '<td class="' + cls + '">' : "<td>") + shown;
        if (pin && i === 0) {
          rowKeys(r).forEach(function (k) {
            (links[k] || []).forEach(function (f) {
              out += '<a class="finding-link" href="#' + esc(f[0]) + '">\u2691 ' + esc(f[1]) + "</a>";
            });
          });
        }
        out += "</td>";
      }
      return out + "</tr>";
    }
    function draw() {
      if (printing) {
        tbody.innerHTML = view.map(printRow).join("");
        info.textContent = view.length.toLocaleString("en-US") + " rows";
        return;
      }
      var start = page * PAGE;
      var rows = view.slice(start, start + PAGE);
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        r.forEach(function (v, i) { cell(tr, r, v, i); });
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
    return {
      print: function (on) { if (printing !== on) { printing = on; draw(); } },
      show: function (name) { subject = name; filter.value = name; apply(); }
    };
  }

  function Diagram(root) {
    var vp = root.querySelector(".viewport"), canvas = root.querySelector(".canvas");
    var svg = canvas.querySelector("svg");
    var s = 1, x = 0, y = 0, drag = null;
    function size() {
      return {w: svg.width.baseVal.value || svg.getBoundingClientRect().width,
              h: svg.height.baseVal.value || svg.getBoundingClientRect().height};
    }
    function set() {
      canvas.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")";
      root.dataset.scale = s.toFixed(4);
      var label = root.querySelector(".zoom");
      if (label) { label.textContent = Math.round(s * 100) + " %"; }
    }
    /* Opened: fitted to the width (at most 100 %), the viewport as tall as the drawing at
       that scale up to 85 % of the window; a taller drawing pans down from its top. The fit
       button shows the whole drawing. */
    function open() {
      var z = size(), vw = vp.clientWidth;
      var maxH = Math.max(240, window.innerHeight * 0.85);
      s = Math.min(vw / z.w, 1);
      vp.style.height = Math.max(240, Math.min(maxH, Math.ceil(z.h * s))) + "px";
      x = (vw - z.w * s) / 2;
      y = Math.max(0, (vp.clientHeight - z.h * s) / 2);
      set();
    }
    function fit() {
      var z = size(), vw = vp.clientWidth, vh = vp.clientHeight;
      s = Math.min(vw / z.w, vh / z.h, 1);
      x = (vw - z.w * s) / 2;
      y = (vh - z.h * s) / 2;
      set();
    }
    function zoomAt(f, cx, cy) {
      var ns = Math.max(0.05, Math.min(s * f, 20));
      x = cx - (cx - x) * (ns / s);
      y = cy - (cy - y) * (ns / s);
      s = ns;
      set();
    }
    /* Centre a node of this diagram, at 100 % or the fitted scale when that is larger. */
    function show(node) {
      var c = canvas.getBoundingClientRect(), r = node.getBoundingClientRect();
      var cx = (r.left + r.width / 2 - c.left) / s, cy = (r.top + r.height / 2 - c.top) / s;
      s = Math.max(s, 1);
      x = vp.clientWidth / 2 - cx * s;
      y = vp.clientHeight / 2 - cy * s;
      set();
    }
    vp.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = vp.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    vp.addEventListener("pointerdown", function (e) {
      if (e.target.closest && e.target.closest("g.flagged")) { return; }
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
    open();
    root.superpodShow = show;
  }

  function showNode(id) {
    var node = document.getElementById(id), root = node && node.closest(".diagram");
    if (!root) { return false; }
    document.querySelectorAll(".diagram g.hit").forEach(function (g) { g.classList.remove("hit"); });
    root.scrollIntoView({block: "start"});
    root.superpodShow(node);
    node.classList.add("hit");
    node.focus({preventScroll: true});
    return true;
  }

  function showFinding(id) {
    var f = document.getElementById(id);
    if (!f) { return; }
    history.pushState(null, "", "#" + id);
    f.scrollIntoView({block: "center"});
    f.focus({preventScroll: true});
  }

  document.querySelectorAll(".table-widget").forEach(function (el) {
    tables[el.dataset.source] = Table(el);
  });
  document.querySelectorAll(".diagram").forEach(function (el) { Diagram(el); });

  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a.node-link, a.cut-link") : null;
    if (a && a.classList.contains("node-link")) {
      var id = a.getAttribute("href").slice(1);
      if (showNode(id)) { e.preventDefault(); history.pushState(null, "", "#" + id); }
      return;
    }
    if (a && tables["cut-data"]) {
      e.preventDefault();
      tables["cut-data"].show(a.dataset.subject);
      document.getElementById("cabling").scrollIntoView({block: "start"});
      return;
    }
    var g = e.target.closest ? e.target.closest("g.flagged") : null;
    if (g) { showFinding(g.dataset.findings.split(" ")[0]); }
  });
  document.addEventListener("keydown", function (e) {
    var g = e.target.closest ? e.target.closest("g.flagged") : null;
    if (g && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      showFinding(g.dataset.findings.split(" ")[0]);
    }
  });

  function printing(on) {
    Object.keys(tables).forEach(function (k) {
      var el = document.getElementById(k + "-widget");
      if (!(el && el.dataset.screen)) { tables[k].print(on); }  // screen-only: not printed
    });
  }
  window.addEventListener("beforeprint", function () { printing(true); });
  window.addEventListener("afterprint", function () { printing(false); });
  var mq = window.matchMedia("print");
  mq.addEventListener("change", function (e) { printing(e.matches); });
  if (mq.matches) { printing(true); }
  if (location.hash.length > 1) { showNode(decodeURIComponent(location.hash.slice(1))); }
  document.body.dataset.ready = "1";
})();
