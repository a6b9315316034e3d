// The "In" (print) button of the printable notices: no inline handler (strict CSP: script-src 'self').
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
