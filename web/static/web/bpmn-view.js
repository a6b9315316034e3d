// Brings up a read-only BPMN diagram in the page's #diagram box (bpmn-js navigated viewer): loads the model from
// the box's data-src, fits it to the viewport, lets the page decorate it (markers, overlays), then marks the box
// ready; on failure the box says why, in the page's language (its data-failed, rendered by the template). Pages include it before their own script (both deferred, so in order).
window.mcShowDiagram = function (decorate) {
  var box = document.getElementById("diagram");
  if (!box || !window.BpmnJS) { return; }
  var viewer = new window.BpmnJS({ container: box });
  fetch(box.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      viewer.get("canvas").zoom("fit-viewport");
      decorate(viewer);
      box.setAttribute("data-ready", "1");
    })
    .catch(function (err) { box.textContent = (box.getAttribute("data-failed") || "") + ": " + err.message; });
};
