// Shows a dossier's BPMN diagram (bpmn-js navigated viewer) with completed and active elements marked.
(function () {
  var box = document.getElementById("diagram");
  if (!box || !window.BpmnJS) { return; }
  var states = JSON.parse(document.getElementById("diagram-states").textContent);
  var viewer = new window.BpmnJS({ container: box });
  fetch(box.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      states.completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "mc-done"); } });
      states.active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "mc-active"); } });
      box.setAttribute("data-ready", "1");
    })
    .catch(function (err) { box.textContent = "Không hiển thị được sơ đồ: " + err.message; });
})();
