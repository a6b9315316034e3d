// "In" (print) buttons: shown only when JavaScript runs (without it, the browser's own Print works);
// no inline handlers, so the page keeps a strict CSP (script-src 'self').
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
