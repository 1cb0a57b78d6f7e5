/* The error pages' "back to the previous page" button (a file, as the Content-Security-Policy allows no
   inline script); hidden when there is no previous page in this tab. */
(function () {
  "use strict";
  document.querySelectorAll(".error-back").forEach(function (button) {
    if (window.history.length <= 1) {
      button.hidden = true;
      return;
    }
    button.addEventListener("click", function () { window.history.back(); });
  });
})();
