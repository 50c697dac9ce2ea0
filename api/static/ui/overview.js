/* /overview: open the graph clustered (by province, unless the page says otherwise), so a big
 * knowledge base stays readable; viz's plankb-graph.js does the clustering on the select's
 * "change" event. Loaded after plankb-graph.js. */
(function () {
  "use strict";
  var box = document.querySelector("[data-plankb-cluster]");
  var select = document.getElementById("plankb-cluster");
  if (!box || !select || !window.plankbNetwork) return;
  var mode = box.getAttribute("data-plankb-cluster");
  if (mode && mode !== "none" && select.value === "none") {
    select.value = mode;
    select.dispatchEvent(new Event("change"));
  }
})();
