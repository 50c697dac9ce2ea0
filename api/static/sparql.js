// plankb SPARQL query page. Runs the query with fetch() and renders the results table.
// Every value from the store is written with textContent / createTextNode, never innerHTML.
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var results = document.getElementById("results");
  var meta = document.getElementById("result-meta");
  var status = document.getElementById("status");
  var endpoint = form.getAttribute("data-endpoint");
  var examples = JSON.parse(document.getElementById("examples-data").textContent || "[]");
  var prefixes = JSON.parse(document.getElementById("prefixes-data").textContent || "{}");

  var editor = null;
  if (window.CodeMirror) {
    editor = window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
      indentUnit: 2,
      extraKeys: {
        "Ctrl-Enter": function () { run(); },
        "Cmd-Enter": function () { run(); }
      }
    });
  } else {
    textarea.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
    });
  }

  function getQuery() { return editor ? editor.getValue() : textarea.value; }
  function setQuery(text) {
    if (editor) { editor.setValue(text); editor.focus(); } else { textarea.value = text; }
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // Shorten an IRI with the known prefixes, for display only (the full IRI goes in the title).
  function shorten(iri) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && (best === null || ns.length > prefixes[best].length)) best = p;
    });
    if (best === null) return "<" + iri + ">";
    return best + ":" + iri.slice(prefixes[best].length);
  }

  function termCell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var code = el("code", shorten(term.value), "iri");
      code.title = term.value;
      td.appendChild(code);
    } else if (term.type === "bnode") {
      td.appendChild(el("code", "_:" + term.value, "bnode"));
    } else if (term.type === "literal" || term.type === "typed-literal") {
      td.appendChild(el("span", term.value, "literal"));
      if (term["xml:lang"]) td.appendChild(el("span", "@" + term["xml:lang"], "lang"));
      else if (term.datatype) {
        var dt = el("span", "^^" + shorten(term.datatype), "datatype");
        dt.title = term.datatype;
        td.appendChild(dt);
      }
    } else if (term.type === "triple") {
      var v = term.value || {};
      td.appendChild(el("code", "<< " + [v.subject, v.predicate, v.object].map(function (t) {
        return t ? (t.type === "uri" ? shorten(t.value) : t.value) : "";
      }).join(" ") + " >>", "triple"));
    } else {
      td.textContent = term.value;
    }
    return td;
  }

  function renderTable(data) {
    var vars = (data.head && data.head.vars) || [];
    var rows = (data.results && data.results.bindings) || [];
    var table = el("table", null, "results-table");
    var thead = el("thead");
    var tr = el("tr");
    tr.appendChild(el("th", "#"));
    vars.forEach(function (v) { tr.appendChild(el("th", "?" + v)); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (b, i) {
      var row = el("tr");
      row.appendChild(el("td", String(i + 1), "rownum"));
      vars.forEach(function (v) { row.appendChild(termCell(b[v])); });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    results.appendChild(table);
    return rows.length;
  }

  function showProblem(problem, httpStatus) {
    var box = el("div", null, "problem");
    box.setAttribute("role", "alert");
    box.appendChild(el("strong", (problem && problem.title) || ("Lỗi HTTP " + httpStatus)));
    if (problem && problem.detail) box.appendChild(el("p", problem.detail));
    if (problem && problem.acceptable) box.appendChild(el("p", "Định dạng chấp nhận: " + problem.acceptable.join(", ")));
    results.appendChild(box);
  }

  function run() {
    var query = getQuery();
    if (editor) editor.save();
    clear(results);
    meta.textContent = "";
    status.textContent = "Đang chạy…";
    var started = performance.now();
    var body = new URLSearchParams();
    body.set("query", query);
    fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9, application/problem+json;q=0.1"
      },
      body: body.toString()
    }).then(function (resp) {
      var ctype = (resp.headers.get("Content-Type") || "").split(";")[0].trim();
      var elapsed = Math.round(performance.now() - started);
      var truncated = resp.headers.get("Plankb-Truncated") === "true";
      var limit = resp.headers.get("Plankb-Row-Limit");
      return resp.text().then(function (text) {
        status.textContent = "";
        if (!resp.ok) {
          var problem = null;
          try { problem = JSON.parse(text); } catch (e) { problem = { title: "Lỗi HTTP " + resp.status, detail: text }; }
          meta.textContent = "Truy vấn thất bại (" + resp.status + ") sau " + elapsed + " ms.";
          showProblem(problem, resp.status);
          return;
        }
        var summary;
        if (ctype === "application/sparql-results+json") {
          var data = JSON.parse(text);
          if (typeof data.boolean === "boolean") {
            results.appendChild(el("p", data.boolean ? "Có (true)" : "Không (false)", "boolean"));
            summary = "Kết quả ASK";
          } else {
            summary = renderTable(data) + " dòng";
          }
        } else {
          results.appendChild(el("pre", text, "rdf"));
          summary = "Đồ thị RDF (" + ctype + ")";
        }
        meta.textContent = summary + " · " + elapsed + " ms";
        if (truncated) {
          var warn = el("p", "Kết quả đã bị cắt ở " + limit + " dòng. Hãy thêm LIMIT hoặc thu hẹp truy vấn.", "warning");
          warn.setAttribute("role", "status");
          results.insertBefore(warn, results.firstChild);
        }
      });
    }).catch(function (err) {
      status.textContent = "";
      showProblem({ title: "Không kết nối được", detail: String(err) }, 0);
    });
  }

  form.addEventListener("submit", function (ev) {
    if (editor) editor.save();
    var submitter = ev.submitter;
    if (submitter && submitter.id === "download") return;  // native submit with the chosen format
    ev.preventDefault();
    run();
  });

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var ex = examples[Number(button.getAttribute("data-index"))];
      if (ex) setQuery(ex.query);
    });
  });

  document.getElementById("insert-prefixes").addEventListener("click", function () {
    var lines = Object.keys(prefixes).map(function (p) { return "PREFIX " + p + ": <" + prefixes[p] + ">"; });
    setQuery(lines.join("\n") + "\n\n" + getQuery());
  });

  if (form.getAttribute("data-autorun") === "true") run();
})();
