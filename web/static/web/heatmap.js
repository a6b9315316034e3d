// Colours a procedure's diagram by the median working time of each step (/bao-cao/quy-trinh/{code}):
// a marker class per colour level and a small label overlay; the page's table holds the same figures.
window.mcShowDiagram(function (viewer) {
  var marks = JSON.parse(document.getElementById("heatmap-marks").textContent);
  var canvas = viewer.get("canvas");
  var registry = viewer.get("elementRegistry");
  var overlays = viewer.get("overlays");
  Object.keys(marks).forEach(function (id) {
    if (!registry.get(id)) { return; }
    var mark = marks[id];
    if (mark.level !== null) { canvas.addMarker(id, "mc-heat-" + mark.level); }
    var label = document.createElement("div");
    label.className = "mc-heat-label";
    label.textContent = mark.label;
    overlays.add(id, "mc-heat", { position: { bottom: 0, left: 0 }, html: label });
  });
});
