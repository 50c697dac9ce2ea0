/* plankb graph page: reads the JSON data block, draws it with vis-network,
 * wires clustering, search and click-to-open. Document text is only ever
 * handled as data (DataSet values, canvas labels, innerText tooltips,
 * textContent) — never as HTML. */
(function () {
  "use strict";

  var statusEl = document.getElementById("plankb-status");
  function say(text) {
    if (statusEl) statusEl.textContent = text;
  }

  var dataEl = document.getElementById("plankb-data");
  var container = document.getElementById("plankb-graph");
  if (!dataEl || !container) return;
  if (typeof vis === "undefined" || !vis.Network) {
    say("Không tải được thư viện vis-network.");
    return;
  }

  var payload = JSON.parse(dataEl.textContent);
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options || {});
  window.plankbNodes = nodes;
  window.plankbEdges = edges;
  window.plankbNetwork = network;
  window.plankbReady = false;
  network.once("afterDrawing", function () {
    window.plankbReady = true;
  });

  // Same-site paths only: '/x', not '//host', '/\host', 'javascript:' or anything with spaces/controls.
  var SAFE_URL = /^\/(?![\/\\])[^\s\\\u0000-\u001f\u007f]*$/;
  function safeUrl(u) {
    return typeof u === "string" && SAFE_URL.test(u) ? u : null;
  }

  // ------------------------------------------------------------- clustering
  // Physics is off for big graphs, so vis's default of stacking opened nodes on
  // the cluster's position would pile them up: we place them ourselves.
  var groups = payload.groups || {};
  var kinds = payload.kinds || {};
  var clusterIds = [];
  var moved = [];  // unclustered nodes moved into the overview grid
  var original = {};  // node id -> position before clustering

  function rememberPositions() {
    var pos = network.getPositions();
    Object.keys(pos).forEach(function (id) { original[id] = pos[id]; });
  }

  function openAllClusters() {
    // Rebuilding from the DataSets drops every cluster and restores the data
    // positions; far faster than openCluster() one by one on big graphs.
    if (!clusterIds.length && !moved.length) return;
    network.setData({ nodes: nodes, edges: edges });
    clusterIds = [];
    moved = [];
  }

  function openAround(cid) {
    // members keep their relative layout, shrunk around the cluster's position
    network.openCluster(cid, {
      releaseFunction: function (c, positions) {
        var ids = Object.keys(positions);
        var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
        ids.forEach(function (id) {
          var p = original[id] || positions[id];
          minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x);
          minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
        });
        var extent = Math.max(maxX - minX, maxY - minY, 1);
        var scale = Math.min(1, (150 * Math.sqrt(ids.length) + 150) / extent);
        var cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
        var out = {};
        ids.forEach(function (id) {
          var p = original[id] || positions[id];
          out[id] = { x: c.x + (p.x - cx) * scale, y: c.y + (p.y - cy) * scale };
          moved.push(id);
        });
        return out;
      }
    });
    clusterIds = clusterIds.filter(function (x) { return x !== cid; });
  }

  function compactOverview() {
    // lay the clusters and the nodes left outside them on a grid, top level first
    var top = clusterIds.slice();
    nodes.forEach(function (n) {
      var path = network.findNode(n.id);
      if (path.length === 1) top.push(n.id);
    });
    var pos = network.getPositions(top);
    top.sort(function (a, b) { return (pos[a].y - pos[b].y) || (pos[a].x - pos[b].x); });
    var cols = Math.max(1, Math.ceil(Math.sqrt(top.length * 2)));
    top.forEach(function (id, i) {
      var r = Math.floor(i / cols), c = i % cols;
      network.moveNode(id, (c - (cols - 1) / 2) * 240, r * 140);
      if (clusterIds.indexOf(id) === -1) moved.push(id);
    });
    network.fit({ animation: false });
  }

  function clusterBy(mode) {
    openAllClusters();
    rememberPositions();
    if (mode !== "province" && mode !== "jurisdiction" && mode !== "kind") {
      network.fit({ animation: false });
      say("");
      return;
    }
    var keyOf = mode === "kind"
      ? function (o) { return o.kind === undefined ? undefined : "k:" + o.kind; }
      : mode === "province"
        ? function (o) { return o.pk; }
        : function (o) { return o.ck; };
    var counts = {}, levels = {};
    nodes.forEach(function (n) {
      var k = keyOf(n);
      if (k === undefined || k === null) return;
      counts[k] = (counts[k] || 0) + 1;
      if (typeof n.level === "number") levels[k] = Math.min(levels[k] === undefined ? n.level : levels[k], n.level);
    });
    var keys = Object.keys(counts).filter(function (k) { return counts[k] >= 2; });
    keys.forEach(function (key, i) {
      var count = counts[key];
      var info = mode === "kind" ? (kinds[key.slice(2)] || {}) : (groups[key] || {});
      var name = info.label || key;
      var cid = "cluster:" + mode + ":" + i;
      clusterIds.push(cid);
      var props = {
        id: cid,
        label: name + " (" + count + " nút)",
        title: "Cụm: " + name + "\n" + count + " nút — nhấn để mở cụm",
        shape: "box",
        borderWidth: 2,
        margin: 10,
        widthConstraint: { maximum: 200 },
        font: { size: 16 + Math.min(10, Math.round(1.5 * Math.log(count))) },
        color: { background: info.color || "#cfe8e6", border: "#3f7f7a" },
        plankbCluster: true
      };
      if (levels[key] !== undefined) props.level = levels[key];
      network.cluster({
        joinCondition: function (o) { return keyOf(o) === key; },
        clusterNodeProperties: props
      }, i === keys.length - 1);
    });
    if (keys.length && payload.layout !== "hierarchical") compactOverview();
    else network.fit({ animation: false });
    say(keys.length ? "Đã gom thành " + keys.length + " cụm; nhấn vào một cụm để mở." : "");
  }

  function reveal(id) {
    // open the clusters that contain `id` (outermost first)
    var path = network.findNode(id) || [];
    for (var i = 0; i < path.length - 1; i++) {
      if (network.isCluster(path[i])) openAround(path[i]);
    }
  }

  function show(id, zoom) {
    reveal(id);
    network.selectNodes([id]);
    if (zoom) network.focus(id, { scale: 1.0, animation: { duration: 300, easingFunction: "easeInOutQuad" } });
  }

  // ------------------------------------------------------------- events
  network.on("click", function (params) {
    if (!params.nodes || !params.nodes.length) return;
    var id = params.nodes[0];
    if (network.isCluster(id)) {
      openAround(id);
      say("");
      return;
    }
    var node = nodes.get(id);
    var url = node && safeUrl(node.url);
    if (url) window.location.assign(url);
  });

  var select = document.getElementById("plankb-cluster");
  if (select) {
    select.addEventListener("change", function () { clusterBy(select.value); });
  }
  var fit = document.getElementById("plankb-fit");
  if (fit) fit.addEventListener("click", function () { network.fit({ animation: false }); });

  var form = document.getElementById("plankb-search-form");
  var input = document.getElementById("plankb-search");
  if (form && input) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = (input.value || "").normalize("NFC").toLowerCase().trim();
      if (!q) return;
      var hits = nodes.get({
        filter: function (n) {
          return String(n.label || "").normalize("NFC").toLowerCase().indexOf(q) !== -1 ||
            String(n.title || "").normalize("NFC").toLowerCase().indexOf(q) !== -1;
        }
      });
      if (!hits.length) {
        say("Không tìm thấy nút nào.");
        return;
      }
      show(hits[0].id, true);
      say("Tìm thấy " + hits.length + " nút; đang hiển thị: " + hits[0].label);
    });
  }

  // ------------------------------------------------------------- start
  var initial = payload.cluster || "none";
  if (select) select.value = initial;
  if (initial !== "none") clusterBy(initial);
  if (payload.focus !== null && payload.focus !== undefined && nodes.get(payload.focus)) {
    show(payload.focus, payload.layout === "layered");
  }
})();
