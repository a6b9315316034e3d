// Print buttons of the printable forms (receipt, apology...): no inline handlers under the CSP.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
