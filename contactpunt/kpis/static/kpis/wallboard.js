/* The wallboard refreshes itself every data-refresh-seconds while its tab is visible, and at once when
   the tab comes back (a static file: the Content-Security-Policy allows no eval, so no htmx filter). */
(function () {
  "use strict";
  var board = document.getElementById("wallboard");
  if (!board) return;
  var seconds = parseInt(board.dataset.refreshSeconds || "10", 10);
  function tick() {
    if (document.visibilityState === "visible") board.dispatchEvent(new CustomEvent("cp:tick"));
  }
  setInterval(tick, seconds * 1000);
  document.addEventListener("visibilitychange", tick);
})();
