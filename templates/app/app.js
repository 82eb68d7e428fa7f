// Progressive only: the pages work without it. Keeps a form from being sent twice by a
// double tap on a slow phone connection.
document.addEventListener("submit", function (e) {
  var b = e.target.querySelector("button[type=submit]");
  if (e.target.dataset.sent) { e.preventDefault(); return; }
  e.target.dataset.sent = "1";
  if (b) { b.setAttribute("aria-busy", "true"); }
});
