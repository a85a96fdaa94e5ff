/* The ownership and network graph: Cytoscape draws the elements of /party/ID/graph.json; a
   click (or tap, or the Expand button of the table under it) on a node fetches that node's
   neighbours and adds those not drawn yet. Labels are text drawn on a canvas, and every
   table cell added here is made with textContent: nothing from the data becomes markup. */
(function () {
  "use strict";

  var STYLE = [
    { selector: "node", style: {
      "background-color": "#5b6570", "label": "data(label)", "color": "#1b1f24",
      "font-size": 13, "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "wrap",
      "text-max-width": 140, "width": 26, "height": 26,
      "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
    { selector: "node[?listed]", style: { "background-color": "#b00020" } },
    { selector: "node[?focus]", style: { "width": 38, "height": 38, "border-width": 4, "border-color": "#f0a500" } },
    { selector: "node.expanded", style: { "border-width": 2, "border-color": "#0b5cad" } },
    { selector: "node:selected", style: { "overlay-color": "#0b5cad", "overlay-opacity": 0.2 } },
    { selector: "edge", style: {
      "width": 2, "curve-style": "bezier", "target-arrow-shape": "triangle", "label": "data(label)",
      "font-size": 11, "text-rotation": "autorotate", "color": "#1b1f24",
      "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1,
      "line-color": "#0b5cad", "target-arrow-color": "#0b5cad" } },
    { selector: "edge[kind = 'control']", style: { "line-style": "dashed", "line-color": "#9a6700", "target-arrow-color": "#9a6700" } },
    { selector: "edge[kind = 'linked-to']", style: { "line-style": "dotted", "line-color": "#5b6570", "target-arrow-color": "#5b6570" } },
    { selector: "edge[kind = 'related']", style: { "line-style": "dotted", "width": 1, "line-color": "#9aa4ae", "target-arrow-color": "#9aa4ae" } }
  ];

  function say(text) {
    var status = document.getElementById("graph-status");
    if (status) status.textContent = text;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("the server answered " + r.status);
        return r.json();
      });
  }

  function cell(row, child) {
    var td = document.createElement("td");
    if (typeof child === "string") td.textContent = child; else td.appendChild(child);
    row.appendChild(td);
    return td;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function start() {
    var box = document.getElementById("graph");
    if (!box || typeof window.cytoscape !== "function") return;
    var cy = window.cytoscape({
      container: box, style: STYLE, elements: [], wheelSensitivity: 0.3,
      minZoom: 0.2, maxZoom: 3
    });
    /* The page's tests and a curious analyst's console reach the graph here. */
    window.sanctraceGraph = cy;
    var nodesTable = document.querySelector("#graph-nodes tbody");
    var edgesTable = document.querySelector("#graph-edges tbody");
    var pending = {};

    /* A few nodes fitted to the box would be drawn huge: the zoom stops at 1 (labels at
       their own size), the graph centred. */
    function layout() {
      var run = cy.layout({ name: "cose", animate: false, fit: true, padding: 40,
        nodeDimensionsIncludeLabels: true, nodeRepulsion: 6000, idealEdgeLength: 70,
        randomize: false });
      run.one("layoutstop", function () {
        if (cy.zoom() > 1) { cy.zoom(1); cy.center(); }
      });
      run.run();
    }

    function listRow(data) {
      if (!nodesTable || nodesTable.querySelector('tr[data-node="' + CSS.escape(data.id) + '"]')) return;
      var row = document.createElement("tr");
      row.setAttribute("data-node", data.id);
      row.className = "added";
      var first = cell(row, link(data.href, data.caption));
      if (data.schema) {
        var schema = document.createElement("span");
        schema.className = "schema";
        schema.textContent = " " + data.schema;
        first.appendChild(schema);
      }
      cell(row, data.listed ? data.lists.join(", ") : "not listed");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary expand";
      button.textContent = "Expand";
      button.setAttribute("data-node", data.id);
      button.setAttribute("data-src", data.href + ".json");
      cell(row, button);
      nodesTable.appendChild(row);
    }

    function edgeRow(data) {
      if (!edgesTable || edgesTable.querySelector('tr[data-edge="' + CSS.escape(data.id) + '"]')) return;
      var none = edgesTable.querySelector("tr.none");
      if (none) none.remove();
      var source = cy.getElementById(data.source).data();
      var target = cy.getElementById(data.target).data();
      var row = document.createElement("tr");
      row.setAttribute("data-edge", data.id);
      row.className = "added kind-" + data.kind;
      cell(row, link(source.href, source.caption));
      var words = data.kind.replace("-", " ");
      cell(row, data.label && data.label !== words ? words + ": " + data.label : words);
      cell(row, link(target.href, target.caption));
      cell(row, data.said_by || "");
      edgesTable.appendChild(row);
    }

    function markExpanded(id) {
      var node = cy.getElementById(id);
      if (node.nonempty()) node.addClass("expanded");
      document.querySelectorAll("button.expand").forEach(function (b) {
        if (b.getAttribute("data-node") === id) { b.disabled = true; b.textContent = "Shown"; }
      });
    }

    function add(data, first) {
      var added = 0;
      var nodes = data.elements.filter(function (e) { return e.group === "nodes"; });
      var edges = data.elements.filter(function (e) { return e.group === "edges"; });
      nodes.forEach(function (e) {
        if (cy.getElementById(e.data.id).empty()) {
          if (!first) e.data.focus = false;
          cy.add({ group: "nodes", data: e.data });
          added += 1;
          if (!first) listRow(e.data);
        }
      });
      edges.forEach(function (e) {
        if (cy.getElementById(e.data.id).empty()) {
          cy.add({ group: "edges", data: e.data });
          if (!first) edgeRow(e.data);
        }
      });
      markExpanded(data.focus);
      layout();
      return added;
    }

    function expand(id, url) {
      var node = cy.getElementById(id);
      if (pending[id] || (node.nonempty() && node.hasClass("expanded"))) return;
      pending[id] = true;
      var caption = node.nonempty() ? node.data("caption") : id;
      say("Adding the neighbours of " + caption + "…");
      fetchJson(url).then(function (data) {
        var added = add(data, false);
        var more = data.left_out ? " (" + data.left_out + " more not drawn)" : "";
        say(added ? "Added " + added + " nodes around " + caption + more + "."
          : "No new neighbours around " + caption + more + ".");
      }).catch(function (err) {
        say("Could not add the neighbours of " + caption + ": " + err.message);
      }).then(function () { delete pending[id]; });
    }

    function select(node) {
      var panel = document.getElementById("graph-selected");
      if (!panel) return;
      var d = node.data();
      document.getElementById("selected-caption").textContent = d.caption;
      document.getElementById("selected-lists").textContent = d.listed
        ? "Listed on " + d.lists.join(", ") + (d.programs.length ? " (" + d.programs.join(", ") + ")" : "")
        : "Not on a loaded list";
      document.getElementById("selected-link").href = d.href;
      panel.hidden = false;
    }

    cy.on("tap", "node", function (evt) {
      var node = evt.target;
      select(node);
      expand(node.id(), node.data("href") + ".json");
    });

    document.addEventListener("click", function (e) {
      var button = e.target && e.target.closest ? e.target.closest("button.expand") : null;
      if (!button || button.disabled) return;
      expand(button.getAttribute("data-node"), button.getAttribute("data-src"));
      var node = cy.getElementById(button.getAttribute("data-node"));
      if (node.nonempty()) select(node);
    });

    fetchJson(box.getAttribute("data-src")).then(function (data) {
      var n = add(data, true);
      box.setAttribute("data-ready", "true");
      say((n - 1) + " neighbours shown" + (data.left_out ? "; " + data.left_out + " more not drawn" : "") + ".");
    }).catch(function (err) {
      say("The graph could not be drawn: " + err.message + ". The tables below list the same links.");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
