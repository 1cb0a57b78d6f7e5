/* The articles on the case page: "Insert into reply" puts the article's answer at the cursor in the reply box and
   notes the article and its version in the reply form, so the reply is linked to the text it quoted. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-article]");
    var body = document.getElementById("reply-body");
    if (!button || !body) return;
    event.preventDefault();
    var text = button.dataset.insertArticle || "";
    var start = body.selectionStart, end = body.selectionEnd;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.setSelectionRange(start + text.length, start + text.length);
    body.dispatchEvent(new Event("input", { bubbles: true }));
    var used = document.getElementById("reply-articles");
    var article = button.dataset.article || "";
    if (used && /^\d+:\d+$/.test(article)) {
      var list = used.value ? used.value.split(",") : [];
      if (list.indexOf(article) < 0 && list.length < 20) list.push(article);
      used.value = list.join(",");
    }
  });
})();
