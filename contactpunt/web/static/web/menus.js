/* The top bar's menus are <details> (they open by keyboard and touch without this script, and one at a time:
   they share a name). This only closes an open menu when the person clicks elsewhere or presses Escape, which
   returns the focus to the menu's name. */
(function () {
  "use strict";
  function openMenus() { return document.querySelectorAll(".topbar details.menu[open]"); }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) { if (!menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();
