/* Tables that stay readable on every screen (the rules are in contactpunt.css):
   - each cell carries its column's header as data-label, which a phone shows beside the value when the rows
     of a table stack into cards;
   - a table that still scrolls sideways (a wide figure table at 1280 px, a matrix such as the shift plan on a
     phone) says so: a hint above it ("more columns: scroll sideways"), a fade on the side where columns are
     out of view, and its first column stays in place.
   Runs on every page and again on every partial htmx swaps in. The layout test
   (contactpunt/web/tests/test_layout_browser.py) fails on a table cut off without these signs. */
(function () {
  "use strict";

  var hints = new WeakMap();  // table -> its hint element

  function headerText(th) {
    var copy = th.cloneNode(true);
    copy.querySelectorAll(".kpi-info, [aria-hidden=true]").forEach(function (el) { el.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function label(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return;
    var columns = [];
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (th) {
      var text = headerText(th);
      for (var i = 0; i < th.colSpan; i += 1) columns.push(text);
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var text = columns[column];
          if (cell.colSpan === 1 && text && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", text);
          column += cell.colSpan;
        });
      });
    });
  }

  function scroller(table) {
    for (var el = table; el && el !== document.body; el = el.parentElement) {
      var overflow = getComputedStyle(el).overflowX;
      if (overflow === "auto" || overflow === "scroll") return el;
    }
    return null;
  }

  function hintFor(table) {
    var hint = hints.get(table);
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = document.body.getAttribute("data-scroll-hint") || "→";
      hint.hidden = true;
      hints.set(table, hint);
    }
    return hint;
  }

  function update() {
    document.querySelectorAll(".scrolls-x").forEach(function (box) {
      box.classList.remove("scrolls-x", "more-left", "more-right");
    });
    document.querySelectorAll("main table").forEach(function (table) {
      var box = scroller(table);
      var hint = hintFor(table);
      var cut = box !== null && box.scrollWidth > box.clientWidth + 1;
      if (cut) {
        box.classList.add("scrolls-x");
        box.classList.toggle("more-left", box.scrollLeft > 1);
        box.classList.toggle("more-right", box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
        if (hint.nextElementSibling !== box) box.before(hint);
      }
      hint.hidden = !cut;
    });
    document.querySelectorAll(".scroll-hint").forEach(function (hint) {
      // the hint of a table an htmx swap replaced
      var next = hint.nextElementSibling;
      if (!next || !(next.matches("table") ? next : next.querySelector("table"))) hint.remove();
    });
  }

  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; update(); });
  }

  function prepare(root) {
    (root.matches && root.matches("table") ? [root] : Array.prototype.slice.call(root.querySelectorAll("table")))
      .forEach(label);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:load", function (event) { prepare(event.target); });
  window.addEventListener("resize", update);
  document.addEventListener("scroll", later, true);
})();
