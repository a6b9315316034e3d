// Shows a dossier's BPMN diagram (bpmn-js navigated viewer) with completed and active elements marked.
window.mcShowDiagram(function (viewer) {
  var states = JSON.parse(document.getElementById("diagram-states").textContent);
  var canvas = viewer.get("canvas");
  var registry = viewer.get("elementRegistry");
  states.completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "mc-done"); } });
  states.active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "mc-active"); } });
});
