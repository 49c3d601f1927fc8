// A button marked data-print prints the page (no inline onclick: the Content-Security-Policy
// allows scripts from this server's files only).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
