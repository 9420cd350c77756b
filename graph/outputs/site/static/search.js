// thbkg site search: the index (static/search-index.js) is loaded once, on first use, and answers in the page.
// Names are compared in the form thbkg's name_key gives them (case folded, accents dropped, -, _ and
// dashes read as spaces); the index holds its keys already in that form.
(function () {
  "use strict";
  var MAX_RESULTS = 20;
  var input, list, status, root, loading = false, entries = null, active = -1, timer = null;

  function key(text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[_\s\u2010-\u2015\u2212-]+/g, " ").trim();
  }
  function load(then) {
    if (entries) { then(); return; }
    if (window.THBKG_SEARCH) { entries = window.THBKG_SEARCH; then(); return; }
    if (loading) return;
    loading = true;
    var script = document.createElement("script");
    script.src = root + "static/search-index.js";
    script.onload = function () { entries = window.THBKG_SEARCH || []; then(); };
    script.onerror = function () { status.textContent = "The search index could not be loaded."; };
    document.head.appendChild(script);
  }
  // 0: a name is exactly the query; 1: a name starts with it; 2: a word of a name does; 3: it occurs inside
  function score(keys, q) {
    var best = 4;
    for (var i = 0; i < keys.length && best > 0; i++) {
      var k = keys[i];
      if (k === q) best = 0;
      else if (best > 1 && k.indexOf(q) === 0) best = 1;
      else if (best > 2 && k.indexOf(" " + q) >= 0) best = 2;
      else if (best > 3 && k.indexOf(q) >= 0) best = 3;
    }
    return best;
  }
  function find(text) {
    var q = key(text), hits = [];
    if (!q) return hits;
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i][3], q);
      if (s < 4) hits.push([s, entries[i]]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || (a[1][0] < b[1][0] ? -1 : a[1][0] > b[1][0] ? 1 : 0); });
    return hits;
  }
  function show(text) {
    var hits = find(text);
    while (list.firstChild) list.removeChild(list.firstChild);
    active = -1;
    hits.slice(0, MAX_RESULTS).forEach(function (hit) {
      var li = document.createElement("li"), a = document.createElement("a"), type = document.createElement("span");
      a.href = root + hit[1][1];
      a.textContent = hit[1][0];
      type.className = "type";
      type.textContent = hit[1][2];
      a.appendChild(type);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = hits.length === 0;
    status.textContent = key(text) ? (hits.length ? hits.length + " found" + (hits.length > MAX_RESULTS ? ", first " + MAX_RESULTS + " shown" : "") : "Nothing found") : "";
  }
  function move(step) {
    var links = list.querySelectorAll("a");
    if (!links.length) return;
    if (active >= 0) links[active].classList.remove("active");
    active = (active + step + links.length) % links.length;
    links[active].classList.add("active");
    links[active].scrollIntoView({block: "nearest"});
  }
  function start() {
    input = document.getElementById("q");
    if (!input) return;
    list = document.getElementById("q-results");
    status = document.getElementById("q-status");
    root = document.body.getAttribute("data-root") || "";
    input.addEventListener("focus", function () { load(function () {}); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { load(function () { show(input.value); }); }, 60);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Escape") { list.hidden = true; }
    });
    input.form.addEventListener("submit", function (event) {
      if (!entries) return;  // no index yet: the form opens the list of actors
      event.preventDefault();
      var hits = find(input.value), links = list.querySelectorAll("a");
      if (active >= 0 && links[active]) window.location.href = links[active].href;
      else if (hits.length) window.location.href = root + hits[0][1][1];
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  window.thbkgSearch = {find: function (text) { return entries ? find(text).map(function (h) { return h[1][1]; }) : null; },
                        load: function (then) { load(then || function () {}); }};
})();
