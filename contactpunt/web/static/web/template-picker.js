/* The response-template picker in the reply box: typing searches (htmx fills #template-results with the
   texts already filled in for the case); arrow keys or the mouse choose, Enter or a click inserts the text
   at the cursor in the reply. */
(function () {
  "use strict";
  var input = document.getElementById("template-search");
  var list = document.getElementById("template-results");
  var body = document.getElementById("reply-body");
  if (!input || !list || !body) return;
  var active = -1;

  function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }
  function setActive(index) {
    var all = options();
    all.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function close() {
    list.innerHTML = "";
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }
  function insert(option) {
    var text = option.dataset.text || "";
    var used = document.getElementById("reply-templates");
    if (used && option.dataset.template) {
      used.value = used.value ? used.value + "," + option.dataset.template : option.dataset.template;
    }
    var start = body.selectionStart, end = body.selectionEnd;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    input.value = "";
    close();
    body.focus();
    body.setSelectionRange(start + text.length, start + text.length);
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== list) return;
    var found = options().length;
    list.hidden = document.activeElement !== input;
    input.setAttribute("aria-expanded", found && !list.hidden ? "true" : "false");
    setActive(found ? 0 : -1);
  });
  list.addEventListener("mousedown", function (event) {
    var option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault(); // keep the focus (a blur would close the list before the click)
    insert(option);
  });
  input.addEventListener("keydown", function (event) {
    var count = options().length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      setActive((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      setActive((active - 1 + count) % count);
    } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
      event.preventDefault(); // Enter picks; it never sends the reply from the search field
      if (active >= 0) insert(options()[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  });
})();
