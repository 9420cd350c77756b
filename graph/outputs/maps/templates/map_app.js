(function () {
  "use strict";
  // Everything below builds text with textContent and DOM APIs only: the data is never parsed as HTML.
  var DATA = window.THBKG_MAP_DATA || JSON.parse(document.getElementById("thbkg-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var container = document.getElementById("map");
  // The page draws the node labels itself (see "labels" below): vis-network's own never show.
  var nodeOptions = DATA.options.nodes = DATA.options.nodes || {};
  nodeOptions.scaling = nodeOptions.scaling || {};
  nodeOptions.scaling.label = Object.assign({}, nodeOptions.scaling.label, {drawThreshold: 1e9});
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, DATA.options);
  function initialView() {
    if (DATA.focus && DATA.focus.length) network.fit({nodes: DATA.focus, animation: false});
    else network.fit({animation: false});
  }
  initialView();
  var api = {data: DATA, nodes: nodes, edges: edges, network: network, drawn: false, firstDrawMs: null};
  window.network = network;
  window.thbkgMap = api;
  network.once("afterDrawing", function () { api.drawn = true; api.firstDrawMs = performance.now(); });
  if (DATA.physics) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({physics: {enabled: false}}); });
  }

  var nodeById = {}, edgeById = {}, adjacency = {}, linkLabel = {};
  DATA.nodes.forEach(function (n) { nodeById[n.id] = n; adjacency[n.id] = []; });
  DATA.legend.link_types.forEach(function (t) { linkLabel[t.code] = t.label; });
  Object.keys(DATA.actors).forEach(function (id) { DATA.actors[id].links = []; });
  DATA.links.forEach(function (l, i) {
    DATA.actors[l.s].links.push(i);
    if (l.o !== l.s) DATA.actors[l.o].links.push(i);
  });
  DATA.edges.forEach(function (e) {
    edgeById[e.id] = e;
    adjacency[e.from].push(e.id);
    adjacency[e.to].push(e.id);
  });

  // Text with the command-line flags it names (--as-of) kept on one line each.
  function withFlags(node, text) {
    String(text).split(/(--[a-z][a-z-]*)/).forEach(function (part, k) {
      if (!part) return;
      node.appendChild(k % 2 ? el("code", part, "flag") : document.createTextNode(part));
    });
    return node;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function safeUrl(url) { return (typeof url === "string" && /^https?:\/\//i.test(url)) ? url : null; }
  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // ---------------------------------------------------------------- basemap (geo layout: country shapes)
  // Natural Earth 1:110m countries (the vendored TopoJSON), projected as thbkg projected the nodes
  // (Web-Mercator, then (m - c) * scale), built once and drawn under the network on every frame.
  var BASEMAP = DATA.basemap || null;
  var basemapShapes = buildBasemap();
  var basemapDrawn = 0;
  // a longitude and latitude (degrees) -> network pixels, as thbkg.graph.outputs.maps.layout places a node
  function project(lon, lat) {
    var P = BASEMAP.projection, rad = Math.PI / 180;
    lat = Math.max(-85, Math.min(85, lat));
    return [(lon * rad - P.cx) * P.scale, (-Math.log(Math.tan(Math.PI / 4 + lat * rad / 2)) - P.cy) * P.scale];
  }
  // a ring that crosses the antimeridian (Russia, Fiji) is unwrapped, so that it runs on past 180°
  // instead of drawing a line across the whole map
  function projectRing(path, coords) {
    var shift = 0, previous = null;
    coords.forEach(function (c, i) {
      if (previous !== null && c[0] + shift - previous > 180) shift -= 360;
      else if (previous !== null && c[0] + shift - previous < -180) shift += 360;
      previous = c[0] + shift;
      var p = project(previous, c[1]);
      if (i) path.lineTo(p[0], p[1]); else path.moveTo(p[0], p[1]);
    });
    path.closePath();
  }
  function buildBasemap() {
    if (!BASEMAP || !BASEMAP.topology || !window.topojson) return [];
    var topo = BASEMAP.topology;
    var omit = {}, eu = {};
    BASEMAP.omit.forEach(function (k) { omit[k] = true; });
    BASEMAP.eu.forEach(function (k) { eu[k] = true; });
    var shapes = [];
    topojson.feature(topo, topo.objects.countries).features.forEach(function (f) {
      var key = f.id !== undefined ? String(f.id) : "name:" + f.properties.name;
      if (omit[key] || !f.geometry) return;
      var polygons = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      var path = new Path2D();
      polygons.forEach(function (rings) { rings.forEach(function (r) { projectRing(path, r); }); });
      var c = own(BASEMAP.countries, key);
      shapes.push({key: key, path: path, eu: !!eu[key], node: c ? c.node : null,
                   fill: c ? (c.region >= 0 ? BASEMAP.regions[c.region].color : BASEMAP.tieColor) : null});
    });
    return shapes;
  }
  function drawGrid(ctx, lines) {
    lines.forEach(function (line) {
      ctx.beginPath();
      line.forEach(function (p, i) { if (i) ctx.lineTo(p[0], p[1]); else ctx.moveTo(p[0], p[1]); });
      ctx.stroke();
    });
  }
  function drawBasemap(ctx, grid) {
    var scale = network.getScale(), px = 1 / scale;
    var a = network.DOMtoCanvas({x: 0, y: 0}), b = network.DOMtoCanvas({x: container.clientWidth, y: container.clientHeight});
    ctx.save();
    ctx.fillStyle = "#e8eff6";                        // sea
    ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.strokeStyle = "#d3dce7";
    ctx.lineWidth = (scale < 0.25 ? 0.5 : 0.8) * px;
    drawGrid(ctx, grid);
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#b9bec6";
    ctx.lineWidth = 0.8 * px;
    basemapShapes.forEach(function (s) {
      ctx.fillStyle = "#fbfaf6";                      // land
      ctx.fill(s.path, "evenodd");
      if (s.fill) { ctx.globalAlpha = 0.5; ctx.fillStyle = s.fill; ctx.fill(s.path, "evenodd"); ctx.globalAlpha = 1; }
      ctx.stroke(s.path);
    });
    ctx.strokeStyle = BASEMAP.euColor;
    ctx.lineWidth = (scale < 0.25 ? 1 : 1.5) * px;   // thinner when the whole world is in view
    basemapShapes.forEach(function (s) { if (s.eu) ctx.stroke(s.path); });
    ctx.restore();
    basemapDrawn = basemapShapes.length;
  }
  var hitContext = document.createElement("canvas").getContext("2d");
  api.basemapCount = function () { return basemapDrawn; };
  api.basemapProject = function (lon, lat) { return BASEMAP ? project(lon, lat) : null; };
  // the key (ISO 3166-1 numeric, or "name:" + name) of the country shape under a point of the network, or null
  api.basemapShapeAt = function (x, y) {
    for (var i = 0; i < basemapShapes.length; i++) if (hitContext.isPointInPath(basemapShapes[i].path, x, y, "evenodd")) return basemapShapes[i].key;
    return null;
  };
  api.basemapStats = function () {
    return {shapes: basemapShapes.length, shaded: basemapShapes.filter(function (s) { return !!s.fill; }).length,
            eu: basemapShapes.filter(function (s) { return s.eu; }).length};
  };

  // ---------------------------------------------------------------- background (geo grid, group names)
  network.on("beforeDrawing", function (ctx) {
    var bg = DATA.background || {};
    ctx.save();
    ctx.strokeStyle = "#e4e6ea";
    ctx.lineWidth = 1;
    if (basemapShapes.length) drawBasemap(ctx, bg.lines || []);   // the grid goes between sea and land
    else drawGrid(ctx, bg.lines || []);
    ctx.fillStyle = "#6b7078";
    ctx.font = "bold 28px system-ui, sans-serif";
    ctx.textAlign = "center";
    (bg.labels || []).forEach(function (l) { ctx.fillText(String(l.text), l.x, l.y); });
    ctx.restore();
  });

  // ---------------------------------------------------------------- labels (level of detail)
  // Labels are drawn after the network, largest node first, each only where it overlaps no label already
  // drawn: at the first view only as many as fit, more as the user zooms in (their size on screen is capped,
  // so zooming in makes room). A highlighted neighbourhood is labelled first, in full colour; the dimmed
  // rest only where room is left.
  var LABEL_FACE = (nodeOptions.font && nodeOptions.font.face) || "system-ui, sans-serif";
  var labelWidth = {};                               // width of each label at 10 px, measured once
  var labelOrder = DATA.nodes.slice().sort(function (a, b) {
    return (b.value || 0) - (a.value || 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }).map(function (n) { return n.id; });
  (function measureLabels() {
    var ctx = document.createElement("canvas").getContext("2d");
    ctx.font = "10px " + LABEL_FACE;
    DATA.nodes.forEach(function (n) { labelWidth[n.id] = n.label ? ctx.measureText(String(n.label)).width : 0; });
  })();
  var labelNear = null, labelFirst = labelOrder, labelBoxes = [];
  var LABEL_CELL = 64;
  function boxFree(grid, b) {
    for (var gx = Math.floor(b[0] / LABEL_CELL); gx <= Math.floor(b[2] / LABEL_CELL); gx++) {
      for (var gy = Math.floor(b[1] / LABEL_CELL); gy <= Math.floor(b[3] / LABEL_CELL); gy++) {
        var cell = grid[gx + ":" + gy];
        if (!cell) continue;
        for (var k = 0; k < cell.length; k++) {
          var o = cell[k];
          if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return false;
        }
      }
    }
    return true;
  }
  function boxAdd(grid, b) {
    for (var gx = Math.floor(b[0] / LABEL_CELL); gx <= Math.floor(b[2] / LABEL_CELL); gx++) {
      for (var gy = Math.floor(b[1] / LABEL_CELL); gy <= Math.floor(b[3] / LABEL_CELL); gy++) {
        (grid[gx + ":" + gy] = grid[gx + ":" + gy] || []).push(b);
      }
    }
  }
  // the label's box (DOM pixels, below its node) and font size, or null when off screen
  function labelBox(id, scale, view, W, H, near) {
    var node = network.body.nodes[id];
    if (!node || node.options.hidden !== false || !labelWidth[id]) return null;
    var fs = (node.options.font && node.options.font.size) || 14;
    var px = Math.min(fs, Math.max(fs * scale, 10.5 + (fs - 12) * 0.3));
    if (near) px = Math.max(px, 12.5);
    var x = (node.x - view.x) * scale + W / 2;
    var y = (node.y - view.y) * scale + H / 2 + (node.options.size || 10) * scale + 2;
    var w = labelWidth[id] * px / 10 * (near ? 1.1 : 1) + 4, h = px * 1.2;
    var b = [x - w / 2, y, x + w / 2, y + h, px];
    return (b[0] < 0 || b[2] > W || b[1] < 0 || b[3] > H) ? null : b;   // whole labels only
  }
  function drawLabels(ctx) {
    var scale = network.getScale(), view = network.getViewPosition();
    var W = container.clientWidth, H = container.clientHeight;
    var t = ctx.getTransform(), ratio = Math.sqrt(t.a * t.a + t.b * t.b) / scale;
    var grid = {}, drawn = [];
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.lineJoin = "round";
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    for (var i = 0; i < labelFirst.length; i++) {
      var id = labelFirst[i], near = !!(labelNear && labelNear[id]);
      var b = labelBox(id, scale, view, W, H, near);
      if (!b || !boxFree(grid, b)) continue;
      boxAdd(grid, b);
      drawn.push({id: id, x: b[0], y: b[1], w: b[2] - b[0], h: b[3] - b[1], near: near});
      ctx.font = (near ? "600 " : "") + b[4].toFixed(1) + "px " + LABEL_FACE;
      ctx.lineWidth = near ? 4 : 3;
      var text = String(nodeById[id].label), cx = (b[0] + b[2]) / 2, cy = b[1] + 1;
      ctx.strokeText(text, cx, cy);
      ctx.fillStyle = labelNear && !near ? "rgba(70,74,80,0.45)" : "#1b1b1b";
      ctx.fillText(text, cx, cy);
    }
    ctx.restore();
    labelBoxes = drawn;
  }
  network.on("afterDrawing", function (ctx) { drawVeil(ctx); drawLabels(ctx); });
  // test hook: the labels drawn last, as boxes in the map's DOM pixels
  api.labelBoxes = function () { return labelBoxes.slice(); };
  function labelNeighbourhood(near) {
    labelNear = near;
    if (!near) { labelFirst = labelOrder; return; }
    labelFirst = labelOrder.filter(function (id) { return near[id]; })
      .concat(labelOrder.filter(function (id) { return !near[id]; }));
    if (state.focus !== null && near[state.focus]) {             // the selected actor's own label first of all
      labelFirst.splice(labelFirst.indexOf(state.focus), 1);
      labelFirst.unshift(state.focus);
    }
  }

  // ---------------------------------------------------------------- state and filters
  var allActorTypes = DATA.legend.actor_types.map(function (t) { return t.code; });
  var allLinkTypes = DATA.legend.link_types.map(function (t) { return t.code; });
  var TIME = DATA.time || {includeUndated: false, cliFilter: "", cliLeftOut: 0};
  var state = {actorTypes: new Set(allActorTypes), linkTypes: new Set(allLinkTypes), year: null, focus: null,
               includeUndated: !!TIME.includeUndated};
  var linkColor = {};
  DATA.legend.link_types.forEach(function (t) { linkColor[t.code] = t.color; });
  var hiddenNodes = {}, hiddenEdges = {}, edgeColorNow = {}, edgeDashNow = {};
  DATA.edges.forEach(function (e) { edgeColorNow[e.id] = e.color; edgeDashNow[e.id] = !!e.dashes; });
  var undatedLeftOut = 0;

  // At a year: the years each link is in force (on 31 December, as --as-of; an event: the years it was
  // active) were computed by thbkg with the CLI's rule; an undated link counts only when they are included.
  function inForceIn(l, year) {
    for (var k = 0; k < l.yrs.length; k++) if (l.yrs[k][0] <= year && year <= l.yrs[k][1]) return true;
    return false;
  }
  function linkVisible(i) {
    var l = DATA.links[i];
    if (!state.linkTypes.has(l.type)) return false;
    if (state.year === null) return true;
    if (l.u && !state.includeUndated) return false;
    return inForceIn(l, state.year);
  }
  function countUndatedLeftOut() {
    if (state.year === null || state.includeUndated) return 0;
    var n = 0;
    DATA.links.forEach(function (l) {
      if (l.u && state.linkTypes.has(l.type) && state.actorTypes.has(nodeById[l.s].actorType) &&
          state.actorTypes.has(nodeById[l.o].actorType) && inForceIn(l, state.year)) n++;
    });
    return n;
  }
  function dominantColor(linkIdx) {
    var counts = {}, best = null;
    linkIdx.forEach(function (i) { var t = DATA.links[i].type; counts[t] = (counts[t] || 0) + 1; });
    allLinkTypes.forEach(function (t) { if (counts[t] && (best === null || counts[t] > counts[best])) best = t; });
    return best === null ? null : linkColor[best];
  }

  function applyFilters() {
    var linkFilter = state.year !== null || state.linkTypes.size < allLinkTypes.length;
    var visibleDegree = {};
    var edgeUpdates = [], nodeUpdates = [];
    var shownEdges = 0, shownNodes = 0;
    DATA.edges.forEach(function (e) {
      var typeOk = state.actorTypes.has(nodeById[e.from].actorType) && state.actorTypes.has(nodeById[e.to].actorType);
      var visibleLinks = e.links.filter(linkVisible);
      var show = typeOk && (e.links.length ? visibleLinks.length > 0 : !linkFilter);
      if (show) {
        shownEdges++;
        visibleDegree[e.from] = (visibleDegree[e.from] || 0) + 1;
        visibleDegree[e.to] = (visibleDegree[e.to] || 0) + 1;
      }
      var upd = null;
      if (!show !== !!hiddenEdges[e.id]) { upd = {id: e.id, hidden: !show}; hiddenEdges[e.id] = !show; }
      var color = show ? (dominantColor(visibleLinks) || e.color) : edgeColorNow[e.id];
      if (color !== edgeColorNow[e.id]) { upd = upd || {id: e.id}; upd.color = color; edgeColorNow[e.id] = color; }
      // at a year every tie shown was in force then: solid; without a year, dashed when no tie in force now
      var dash = state.year === null ? !!e.dashes : false;
      if (show && dash !== edgeDashNow[e.id]) { upd = upd || {id: e.id}; upd.dashes = dash; edgeDashNow[e.id] = dash; }
      if (upd) edgeUpdates.push(upd);
    });
    DATA.nodes.forEach(function (n) {
      var show = state.actorTypes.has(n.actorType) &&
        (!linkFilter || adjacency[n.id].length === 0 || (visibleDegree[n.id] || 0) > 0);
      if (show) shownNodes++;
      if (!show !== !!hiddenNodes[n.id]) { nodeUpdates.push({id: n.id, hidden: !show}); hiddenNodes[n.id] = !show; }
    });
    if (edgeUpdates.length) edges.update(edgeUpdates);
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    undatedLeftOut = countUndatedLeftOut();
    api.undatedLeftOut = undatedLeftOut;
    document.getElementById("status").textContent =
      "Showing " + shownNodes + " of " + DATA.nodes.length + " actors and " + shownEdges + " of " +
      DATA.edges.length + " ties" + (state.year !== null ? " as they stood at the end of " + state.year : "") + "." +
      (state.year === null ? "" : state.includeUndated ? " Undated links included."
        : " " + plural(undatedLeftOut, "undated link") + " left out.");
    showYearNote();
    if (state.focus !== null) highlight(state.focus);
  }

  // ---------------------------------------------------------------- neighbourhood highlight
  // The rest of the map is dimmed by a veil drawn over it, and the neighbourhood drawn again on top: no
  // node or edge is updated, so a highlight costs the same at 5,000 actors as at 50.
  var veil = null, redrawPending = false;
  // one redraw at the next frame, however many changes ask for it (a frame takes ~0.1 s at 5,000 actors)
  function scheduleRedraw() {
    if (redrawPending) return;
    redrawPending = true;
    requestAnimationFrame(function () { redrawPending = false; network.redraw(); });
  }
  function highlight(id) {
    state.focus = id;
    var near = {}, nearEdges = [];
    near[id] = true;
    adjacency[id].forEach(function (eid) {
      if (hiddenEdges[eid]) return;
      nearEdges.push(eid);
      var e = edgeById[eid];
      near[e.from] = true; near[e.to] = true;
    });
    veil = {nodes: Object.keys(near), edges: nearEdges};
    labelNeighbourhood(near);
    scheduleRedraw();
    return near;
  }
  function unhighlight() {
    state.focus = null;
    if (!veil) return;
    veil = null;
    labelNeighbourhood(null);
    scheduleRedraw();
  }
  function drawVeil(ctx) {
    if (!veil) return;
    var a = network.DOMtoCanvas({x: 0, y: 0}), b = network.DOMtoCanvas({x: container.clientWidth, y: container.clientHeight});
    ctx.save();
    ctx.fillStyle = "rgba(250,250,251,0.8)";
    ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.restore();
    veil.edges.forEach(function (eid) { var e = network.body.edges[eid]; if (e && !hiddenEdges[eid]) e.draw(ctx); });
    veil.nodes.forEach(function (id) { var n = network.body.nodes[id]; if (n && !hiddenNodes[id]) n.draw(ctx); });
  }
  api.highlighted = function () { return veil ? veil.nodes.slice() : null; };

  // ---------------------------------------------------------------- side panel
  var panel = document.getElementById("panel");
  var panelBody = document.getElementById("panel-body");
  function fmtMetric(name, v) {
    if (typeof v !== "number") return String(v);
    if (Number.isInteger(v)) return String(v);
    return v === 0 ? "0" : (Math.abs(v) < 0.001 ? v.toExponential(2) : v.toFixed(4));
  }
  function sourceOf(sid) { return own(DATA.sources, sid) || {title: sid, grade: "ungraded", documentary: false}; }
  function gradeBadge(s) { return el("span", s.grade || "ungraded", "grade" + (s.documentary ? "" : " placeholder")); }
  function actorLink(id) {
    var a = el("a", (own(DATA.actors, id) || {label: id}).label, "partner");
    a.setAttribute("role", "button");
    a.addEventListener("click", function () { focusActor(id); });
    return a;
  }
  // One link with its evidence: period and how sure its date is, status, the grade of each source, the note.
  function linkItem(i, selfId) {
    var l = DATA.links[i];
    var li = el("li");
    var head = el("div", null, "link-head");
    var sw = el("span", null, "swatch");
    sw.style.background = own(linkColor, l.type) || "#b0b0b0";
    head.appendChild(sw);
    var typeText = own(linkLabel, l.type) || l.type || "link";
    if (selfId !== null) {
      head.appendChild(document.createTextNode(typeText + (l.s === selfId ? " → " : " ← ")));
      head.appendChild(actorLink(l.s === selfId ? l.o : l.s));
    } else {
      head.appendChild(document.createTextNode(typeText + ": " + (own(DATA.actors, l.s) || {label: l.s}).label +
        " → " + (own(DATA.actors, l.o) || {label: l.o}).label));
    }
    li.appendChild(head);
    li.appendChild(el("div", l.when || "undated", "when"));
    var meta = [own(DATA.statusLabels, l.status) || l.status, l.confidence ? "tie confidence " + l.confidence : "", l.role]
      .filter(function (x) { return x; }).join(" · ");
    if (meta) li.appendChild(el("div", meta, "meta"));
    if (state.year !== null && !linkVisible(i)) {
      li.className = "out-of-view";
      li.appendChild(el("div", l.u && !state.includeUndated && inForceIn(l, state.year)
        ? "Not shown at " + state.year + ": undated (start date unknown)."
        : "Not shown at " + state.year + ".", "warn"));
    }
    var grades = el("div", null, "grades");
    if (l.sources.length) {
      l.sources.forEach(function (sid) {
        var s = sourceOf(sid), line = el("span", null, "src");
        line.appendChild(document.createTextNode("– " + (s.title || sid)));
        line.appendChild(gradeBadge(s));
        grades.appendChild(line);
      });
    } else {
      grades.appendChild(el("span", "No source cited.", "warn"));
    }
    li.appendChild(grades);
    if (l.po) li.appendChild(el("div", "No document read: this link rests on general knowledge or memory only.", "warn"));
    if (l.note) li.appendChild(el("div", l.note, "link-note"));
    return li;
  }
  function sourceItem(sid) {
    var s = sourceOf(sid);
    var li = el("li");
    var url = safeUrl(s.url);
    if (url) {
      var a = el("a", s.title || sid);
      a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer external";
      li.appendChild(a);
    } else {
      li.appendChild(el("span", s.title || sid));
    }
    li.appendChild(gradeBadge(s));
    var meta = [s.publisher, s.issued, s.urlText].filter(function (x) { return x; }).join(" · ");
    if (meta) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", meta, "meta")); }
    return li;
  }
  function sourcesSection(sourceIds) {
    panelBody.appendChild(el("h3", "Sources (" + sourceIds.length + ")"));
    var sl = el("ul", null, "sources");
    sourceIds.forEach(function (sid) { sl.appendChild(sourceItem(sid)); });
    panelBody.appendChild(sl);
  }
  function showActor(id) {
    var a = own(DATA.actors, id);
    if (!a) return;
    clear(panelBody);
    panelBody.appendChild(el("h2", a.label));
    panelBody.appendChild(el("p", a.typeLabel + (a.framework ? " · framework (an affiliation: actors belong to it)" : "") +
      (a.confidence ? " · confidence " + a.confidence : ""), "type"));

    panelBody.appendChild(el("h3", "Codes"));
    var dl = el("dl");
    function row(k, v) { if (v === undefined || v === null || v === "") return; dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); }
    Object.keys(a.codes).forEach(function (k) { row(k, a.codes[k]); });
    row("Seat", a.seat);
    row("Coordinates", a.coords);
    row("Regions", a.regions.join(", "));
    panelBody.appendChild(dl);

    panelBody.appendChild(el("h3", "Metrics"));
    var ml = el("dl");
    ml.appendChild(el("dt", a.framework ? "members, parties" : "partners (any link)")); ml.appendChild(el("dd", a.partners));
    ml.appendChild(el("dt", "links")); ml.appendChild(el("dd", a.links.length));
    Object.keys(a.metrics).forEach(function (m) {
      ml.appendChild(el("dt", m + (m === DATA.sizeBy ? " (size)" : "")));
      ml.appendChild(el("dd", fmtMetric(m, a.metrics[m])));
    });
    panelBody.appendChild(ml);

    panelBody.appendChild(el("h3", "Links (" + a.links.length + ")"));
    var ul = el("ul", null, "links");
    var sourceIds = [];
    function addSource(sid) { if (sourceIds.indexOf(sid) < 0) sourceIds.push(sid); }
    (a.sources || []).forEach(addSource);
    a.links.forEach(function (i) {
      ul.appendChild(linkItem(i, id));
      DATA.links[i].sources.forEach(addSource);
    });
    panelBody.appendChild(ul);
    sourcesSection(sourceIds);
    panel.hidden = false;
    panel.scrollTop = 0;
    panelShows = {actor: id};
    scheduleRedraw();
  }
  // A tie (an edge): both actors, and every link between them with its evidence.
  function showTie(edgeId) {
    var e = own(edgeById, edgeId);
    if (!e) return;
    clear(panelBody);
    var from = own(DATA.actors, e.from) || {label: e.from}, to = own(DATA.actors, e.to) || {label: e.to};
    panelBody.appendChild(el("h2", from.label + " – " + to.label));
    panelBody.appendChild(el("p", plural(e.links.length, "link") + " · " +
      (e.notInForce ? "no tie in force now (drawn dashed)" : "a tie in force"), "type"));
    var ends = el("p", "Open: ", "ends meta");
    ends.appendChild(actorLink(e.from)); ends.appendChild(document.createTextNode(" · ")); ends.appendChild(actorLink(e.to));
    panelBody.appendChild(ends);
    panelBody.appendChild(el("h3", "Links (" + e.links.length + ")"));
    var ul = el("ul", null, "links"), sourceIds = [];
    e.links.forEach(function (i) {
      ul.appendChild(linkItem(i, null));
      DATA.links[i].sources.forEach(function (sid) { if (sourceIds.indexOf(sid) < 0) sourceIds.push(sid); });
    });
    panelBody.appendChild(ul);
    sourcesSection(sourceIds);
    panel.hidden = false;
    panel.scrollTop = 0;
    panelShows = {tie: edgeId};
    scheduleRedraw();
  }
  var panelShows = null;
  function refreshPanel() {
    if (panel.hidden || !panelShows) return;
    var top = panel.scrollTop;
    if (panelShows.actor !== undefined) showActor(panelShows.actor); else showTie(panelShows.tie);
    panel.scrollTop = top;
  }
  function hidePanel() { panel.hidden = true; clear(panelBody); panelShows = null; }
  document.getElementById("panel-close").addEventListener("click", function () { hidePanel(); unhighlight(); network.unselectAll(); });

  function selectActor(id) {
    network.selectNodes([id]);
    highlight(id);
    showActor(id);
  }
  function focusActor(id) {
    selectActor(id);
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: {duration: 300, easingFunction: "easeInOutQuad"}});
  }
  function selectTie(edgeId) {
    unhighlight();
    network.selectEdges([edgeId]);
    showTie(edgeId);
  }
  // Zoom to an actor and its neighbours shown (the farthest fifth left out when there are many, so that a
  // hub's far-flung partners do not keep the view wide); never zooms out.
  var ZOOM_MAX = 2.2;
  function zoomToNeighbourhood(id, animate) {
    var others = [];
    (adjacency[id] || []).forEach(function (eid) {
      if (hiddenEdges[eid]) return;
      var e = edgeById[eid], other = e.from === id ? e.to : e.from;
      if (other !== id && others.indexOf(other) < 0) others.push(other);
    });
    var pos = network.getPositions([id].concat(others)), p = pos[id];
    if (!p) return false;
    others.sort(function (a, b) {
      return Math.hypot(pos[a].x - p.x, pos[a].y - p.y) - Math.hypot(pos[b].x - p.x, pos[b].y - p.y);
    });
    if (others.length > 6) others = others.slice(0, Math.max(6, Math.ceil(others.length * 0.8)));
    var x0 = p.x, x1 = p.x, y0 = p.y, y1 = p.y;
    others.forEach(function (o) {
      x0 = Math.min(x0, pos[o].x); x1 = Math.max(x1, pos[o].x); y0 = Math.min(y0, pos[o].y); y1 = Math.max(y1, pos[o].y);
    });
    network.setSize("100%", "100%");                 // the panel may just have narrowed the map
    var W = container.clientWidth, H = container.clientHeight, pad = 80;
    var scale = Math.min(ZOOM_MAX, (W - 40) / (x1 - x0 + pad), (H - 40) / (y1 - y0 + pad));
    if (!(scale > network.getScale() * 1.05)) return false;
    network.moveTo({position: {x: (x0 + x1) / 2, y: (y0 + y1) / 2}, scale: scale,
                    animation: animate === false ? false : {duration: 450, easingFunction: "easeInOutQuad"}});
    return true;
  }
  api.zoomToNeighbourhood = zoomToNeighbourhood;
  network.on("click", function (params) {
    setDrawer(false);
    var page = params.nodes && params.nodes.length ? (own(DATA.actors, params.nodes[0]) || {}).page : null;
    if (page) { window.location.href = page; return; }  // on the website, a node opens its actor's page
    if (params.nodes && params.nodes.length) { selectActor(params.nodes[0]); zoomToNeighbourhood(params.nodes[0]); }
    else if (params.edges && params.edges.length) selectTie(params.edges[0]);
    else { hidePanel(); unhighlight(); }
  });
  api.selectActor = selectActor;
  api.selectTie = selectTie;
  api.linkShown = linkVisible;
  api.tieBetween = function (a, b) {
    var hit = null;
    (adjacency[a] || []).forEach(function (eid) { var e = edgeById[eid]; if (e.from === b || e.to === b) hit = eid; });
    return hit;
  };

  // ---------------------------------------------------------------- search
  // The labels and codes are indexed once (lower case); typing shows the first matches after a short pause
  // (debounced), Enter or Find goes to the best match at once.
  var search = document.getElementById("search");
  var searchStatus = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var SUGGEST_MAX = 8, SUGGEST_DELAY = 90;
  var searchIndex = DATA.nodes.map(function (n) {
    var a = DATA.actors[n.id], codes = [];
    for (var k in a.codes) codes.push(String(a.codes[k]).toLowerCase());
    return {id: n.id, label: a.label, low: String(a.label).toLowerCase(), codes: codes, type: a.typeLabel};
  }).sort(function (a, b) { return a.label.localeCompare(b.label); });
  function findActor(query) {
    var q = query.trim().toLowerCase();
    if (!q) return null;
    var i, n = searchIndex.length;
    for (i = 0; i < n; i++) if (searchIndex[i].low === q || searchIndex[i].id === q) return searchIndex[i].id;
    for (i = 0; i < n; i++) if (searchIndex[i].low.indexOf(q) >= 0) return searchIndex[i].id;
    for (i = 0; i < n; i++) if (searchIndex[i].codes.indexOf(q) >= 0) return searchIndex[i].id;
    return null;
  }
  // up to *max* entries: exact matches and codes first, then labels starting with the query, then containing it
  function matchActors(query, max) {
    var q = query.trim().toLowerCase(), tiers = [[], [], []];
    if (!q) return [];
    for (var i = 0; i < searchIndex.length && tiers[0].length + tiers[1].length < max; i++) {
      var x = searchIndex[i], at = x.low.indexOf(q);
      if (x.low === q || x.id === q || x.codes.indexOf(q) >= 0) tiers[0].push(x);
      else if (at === 0) tiers[1].push(x);
      else if (at > 0 && tiers[2].length < max) tiers[2].push(x);
    }
    return tiers[0].concat(tiers[1], tiers[2]).slice(0, max);
  }
  var suggestTimer = null, activeResult = -1;
  function hideResults() {
    clearTimeout(suggestTimer); suggestTimer = null;
    results.hidden = true; clear(results); activeResult = -1;
    search.setAttribute("aria-expanded", "false");
  }
  function showResults() {
    var started = performance.now(), q = search.value;
    suggestTimer = null;
    var found = matchActors(q, SUGGEST_MAX);
    clear(results); activeResult = -1;
    found.forEach(function (x, k) {
      var li = el("li", null);
      li.id = "search-result-" + k;
      li.setAttribute("role", "option");
      li.dataset.id = x.id;
      li.appendChild(document.createTextNode(x.label));
      li.appendChild(el("span", x.type, "meta"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pickResult(x.id); });
      results.appendChild(li);
    });
    results.hidden = !found.length;
    search.setAttribute("aria-expanded", found.length ? "true" : "false");
    searchStatus.textContent = q.trim() && !found.length ? "No actor matches." : "";
    api.lastSuggest = {query: q, count: found.length, ms: performance.now() - started, at: performance.now()};
  }
  function moveActive(step) {
    var items = results.querySelectorAll("li");
    if (!items.length) return;
    if (activeResult >= 0) items[activeResult].classList.remove("active");
    activeResult = (activeResult + step + items.length) % items.length;
    items[activeResult].classList.add("active");
    search.setAttribute("aria-activedescendant", items[activeResult].id);
  }
  function pickResult(id) {
    search.value = DATA.actors[id].label;
    hideResults();
    goTo(id);
  }
  function goTo(id) {
    searchStatus.textContent = hiddenNodes[id] ? "Hidden by the filters; reset to show it." : "";
    focusActor(id);
  }
  function runSearch() {
    hideResults();
    var id = findActor(search.value);
    if (!id) { searchStatus.textContent = search.value.trim() ? "No actor matches." : ""; return; }
    goTo(id);
  }
  search.addEventListener("input", function () {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(showResults, SUGGEST_DELAY);
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      var item = activeResult >= 0 ? results.querySelectorAll("li")[activeResult] : null;
      if (item) pickResult(item.dataset.id); else runSearch();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (suggestTimer) showResults();
      ev.preventDefault(); moveActive(ev.key === "ArrowDown" ? 1 : -1);
    } else if (ev.key === "Escape") hideResults();
  });
  search.addEventListener("blur", function () { setTimeout(hideResults, 150); });
  document.getElementById("search-go").addEventListener("click", runSearch);
  api.findActor = findActor;
  api.matchActors = matchActors;

  // ---------------------------------------------------------------- drawer (phones: legend and filters)
  var drawerToggle = document.getElementById("drawer-toggle");
  function setDrawer(open) {
    document.body.classList.toggle("drawer-open", !!open);
    drawerToggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  drawerToggle.addEventListener("click", function () { setDrawer(!document.body.classList.contains("drawer-open")); });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") setDrawer(false); });
  api.setDrawer = setDrawer;
  api.drawerOpen = function () { return document.body.classList.contains("drawer-open"); };

  // ---------------------------------------------------------------- legend with filter checkboxes
  var legendBox = document.getElementById("legend");
  function shapeIcon(shape, color, dashed) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "16"); svg.setAttribute("height", "16"); svg.setAttribute("viewBox", "0 0 16 16");
    var s;
    var pts = {
      diamond: "8,1 15,8 8,15 1,8", triangle: "8,1 15,14 1,14", triangleDown: "1,2 15,2 8,15",
      hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8",
      star: "8,0.8 10,6 15.5,6 11,9.4 12.8,15 8,11.6 3.2,15 5,9.4 0.5,6 6,6"
    };
    if (shape === "square") { s = document.createElementNS(SVGNS, "rect"); s.setAttribute("x", "2"); s.setAttribute("y", "2"); s.setAttribute("width", "12"); s.setAttribute("height", "12"); }
    else if (pts[shape]) { s = document.createElementNS(SVGNS, "polygon"); s.setAttribute("points", pts[shape]); }
    else { s = document.createElementNS(SVGNS, "circle"); s.setAttribute("cx", "8"); s.setAttribute("cy", "8"); s.setAttribute("r", "6.5"); }
    s.setAttribute("fill", color); s.setAttribute("stroke", "rgba(0,0,0,.35)");
    if (dashed) { s.setAttribute("stroke", "rgba(0,0,0,.7)"); s.setAttribute("stroke-width", "1.4"); s.setAttribute("stroke-dasharray", "2.5 1.5"); }
    svg.appendChild(s);
    return svg;
  }
  function lineIcon(color, dashed) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "22"); svg.setAttribute("height", "10");
    var ln = document.createElementNS(SVGNS, "line");
    ln.setAttribute("x1", "1"); ln.setAttribute("y1", "5"); ln.setAttribute("x2", "21"); ln.setAttribute("y2", "5");
    ln.setAttribute("stroke", color); ln.setAttribute("stroke-width", "3");
    if (dashed) ln.setAttribute("stroke-dasharray", "4 3");
    svg.appendChild(ln);
    return svg;
  }
  function checkboxRow(kind, entry, icon, set) {
    var lab = el("label", null, "row");
    var cb = document.createElement("input");
    cb.type = "checkbox"; cb.checked = true; cb.dataset.kind = kind; cb.value = entry.code;
    cb.addEventListener("change", function () {
      if (cb.checked) set.add(entry.code); else set.delete(entry.code);
      applyFilters();
    });
    lab.appendChild(cb); lab.appendChild(icon); lab.appendChild(el("span", entry.label)); lab.appendChild(el("span", entry.count, "count"));
    return lab;
  }
  var drawerClose = el("button", "Close", null);
  drawerClose.id = "drawer-close"; drawerClose.type = "button"; drawerClose.title = "Close the legend";
  drawerClose.addEventListener("click", function () { setDrawer(false); drawerToggle.focus(); });
  legendBox.appendChild(drawerClose);
  legendBox.appendChild(el("p", document.getElementById("map-subtitle").textContent, "note phone-only"));
  var actorEntries = DATA.legend.actor_types.filter(function (t) { return !t.framework; });
  var frameworkEntries = DATA.legend.actor_types.filter(function (t) { return t.framework; });
  legendBox.appendChild(el("h2", "Actors (shape and colour by type)"));
  actorEntries.forEach(function (t) { legendBox.appendChild(checkboxRow("actor", t, shapeIcon(t.shape, t.color, false), state.actorTypes)); });
  if (frameworkEntries.length) {
    legendBox.appendChild(el("h2", "Frameworks and treaties"));
    legendBox.appendChild(el("p", "Affiliations, drawn as nodes (dashed border): actors belong to them; they do not broker.", "note"));
    frameworkEntries.forEach(function (t) { legendBox.appendChild(checkboxRow("actor", t, shapeIcon(t.shape, t.color, true), state.actorTypes)); });
  }
  legendBox.appendChild(el("p", "Node size: " + DATA.sizeBy + " (centrality of the ties in force).", "note"));
  legendBox.appendChild(el("h2", "Links (colour by type)"));
  DATA.legend.link_types.forEach(function (t) { legendBox.appendChild(checkboxRow("link", t, lineIcon(t.color, false), state.linkTypes)); });
  var dashedRow = el("p", null, "note");
  dashedRow.appendChild(lineIcon("#777", true));
  dashedRow.appendChild(document.createTextNode(" dashed: no tie in force (every link under negotiation, signed, suspended or ended); width: number of links."));
  legendBox.appendChild(dashedRow);
  if (DATA.links.some(function (l) { return l.ev; })) {
    legendBox.appendChild(el("p", "Events (joint action days, evaluations, meetings) are activity in a period, not standing ties.", "note"));
  }

  legendBox.appendChild(el("h2", "Year"));
  var yearBox = el("div", null, "year");
  var yearOn = document.createElement("input");
  yearOn.type = "checkbox"; yearOn.id = "year-on";
  var yearRange = document.createElement("input");
  yearRange.type = "range"; yearRange.id = "year"; yearRange.disabled = true;
  yearRange.setAttribute("aria-label", "Year");
  var yearOut = el("output", "all");
  if (DATA.years) {
    yearRange.min = String(DATA.years.min); yearRange.max = String(DATA.years.max); yearRange.step = "1";
    yearRange.value = String(DATA.years.max);
  } else { yearOn.disabled = true; }
  function setYear() {
    state.year = yearOn.checked ? parseInt(yearRange.value, 10) : null;
    yearRange.disabled = !yearOn.checked;
    yearOut.textContent = state.year === null ? "all" : String(state.year);
    applyFilters();
    refreshPanel();
  }
  yearOn.addEventListener("change", setYear);
  yearRange.addEventListener("input", setYear);
  var yearLabel = el("label", null, "row");
  yearLabel.appendChild(yearOn); yearLabel.appendChild(el("span", "as it stood in"));
  yearBox.appendChild(yearLabel); yearBox.appendChild(yearRange); yearBox.appendChild(yearOut);
  legendBox.appendChild(yearBox);
  var undatedLabel = el("label", null, "row");
  var undatedOn = document.createElement("input");
  undatedOn.type = "checkbox"; undatedOn.id = "include-undated"; undatedOn.checked = state.includeUndated;
  undatedOn.disabled = !DATA.years;
  undatedOn.addEventListener("change", function () { state.includeUndated = undatedOn.checked; applyFilters(); refreshPanel(); });
  undatedLabel.appendChild(undatedOn);
  undatedLabel.appendChild(withFlags(el("span"), "include undated links (start date unknown), as --include-undated does"));
  legendBox.appendChild(undatedLabel);
  var yearNote = el("p", null, "note");
  yearNote.id = "year-note";
  legendBox.appendChild(yearNote);
  function showYearNote() {
    if (!yearNote) return;
    clear(yearNote);
    if (!DATA.years) { yearNote.textContent = "No link has a date, so the year filter is off."; return; }
    if (state.year === null) {
      yearNote.textContent = plural(DATA.undatedLinks, "link") + " without a start date: left out when a year is chosen, " +
        "unless undated links are included.";
    } else if (state.includeUndated) {
      yearNote.textContent = "Undated links included, as in force since an unknown date.";
    } else {
      yearNote.appendChild(el("span", plural(undatedLeftOut, "undated link") + " left out", "left-out"));
      yearNote.appendChild(document.createTextNode(" at " + state.year + ": their start date is unknown."));
    }
  }
  if (DATA.years) {
    legendBox.appendChild(withFlags(el("p", null, "note"), "A tie shows when one of its links was in force on " +
      "31 December of that year, as with --as-of: from its start to its end. Without an end date, a link under " +
      "negotiation, signed, suspended or ended never counts. Events show in the years they were active."));
  }
  if (TIME.cliLeftOut) {
    legendBox.appendChild(withFlags(el("p", null, "note"), TIME.cliFilter + " already left out " +
      plural(TIME.cliLeftOut, "undated link") + " (--include-undated keeps them)."));
  }
  (DATA.notes || []).forEach(function (text) { legendBox.appendChild(el("p", text, "note")); });
  if (basemapShapes.length) basemapLegend();
  function swatch(fill, outline) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "16"); svg.setAttribute("height", "12"); svg.setAttribute("viewBox", "0 0 16 12");
    var r = document.createElementNS(SVGNS, "rect");
    r.setAttribute("x", "1"); r.setAttribute("y", "1"); r.setAttribute("width", "14"); r.setAttribute("height", "10");
    r.setAttribute("fill", fill || "#fbfaf6"); if (fill) r.setAttribute("fill-opacity", "0.5");
    r.setAttribute("stroke", outline || "#b9bec6"); r.setAttribute("stroke-width", outline ? "2" : "1");
    svg.appendChild(r);
    return svg;
  }
  function swatchRow(icon, text, count) {
    var row = el("div", null, "row basemap-row");
    row.appendChild(icon); row.appendChild(el("span", text));
    if (count !== undefined) row.appendChild(el("span", count, "count"));
    return row;
  }
  function basemapLegend() {
    var box = el("div", null, "basemap-legend");
    box.id = "basemap-legend";
    box.appendChild(el("h2", "Countries (basemap)"));
    box.appendChild(el("p", "Countries that hold ties, shaded by priority region:", "note"));
    var others = Object.keys(BASEMAP.countries).length;
    BASEMAP.regions.forEach(function (r) { box.appendChild(swatchRow(swatch(r.color), r.label, r.countries)); others -= r.countries; });
    if (others) box.appendChild(swatchRow(swatch(BASEMAP.tieColor), "in no priority region", others));
    if (BASEMAP.eu.length) box.appendChild(swatchRow(swatch(null, BASEMAP.euColor), "EU member states (outlined)", BASEMAP.eu.length));
    if (BASEMAP.euNote) box.appendChild(el("p", "EU members: " + BASEMAP.euNote + ".", "note"));
    if (BASEMAP.missing.length) {
      box.appendChild(el("p", (BASEMAP.missing.length === 1 ? "1 country" : BASEMAP.missing.length + " countries") +
        " with ties too small for the 1:110m shapes (their node marks them): " + BASEMAP.missing.join(", ") + ".", "note"));
    }
    box.appendChild(el("p", BASEMAP.credit, "note"));
    legendBox.appendChild(box);
  }
  api.setYear = function (y) { yearOn.checked = y !== null; if (y !== null) yearRange.value = String(y); setYear(); };
  api.setIncludeUndated = function (on) { undatedOn.checked = !!on; state.includeUndated = !!on; applyFilters(); refreshPanel(); };

  // ---------------------------------------------------------------- reset
  function reset() {
    state.actorTypes = new Set(allActorTypes);
    state.linkTypes = new Set(allLinkTypes);
    legendBox.querySelectorAll("input[type=checkbox][data-kind]").forEach(function (cb) { cb.checked = true; });
    checkboxRows();
    yearOn.checked = false;
    state.includeUndated = !!TIME.includeUndated; undatedOn.checked = state.includeUndated;
    search.value = ""; searchStatus.textContent = ""; hideResults();
    hidePanel();
    unhighlight();
    network.unselectAll();
    setYear();
    initialView();
  }
  function checkboxRows() {
    legendBox.querySelectorAll("input[type=checkbox][data-kind=actor]").forEach(function (cb) { cb.checked = state.actorTypes.has(cb.value); });
    legendBox.querySelectorAll("input[type=checkbox][data-kind=link]").forEach(function (cb) { cb.checked = state.linkTypes.has(cb.value); });
  }
  document.getElementById("reset").addEventListener("click", reset);
  api.reset = reset;
  applyFilters();
})();
