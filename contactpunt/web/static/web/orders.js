/* The order panel on the case page always ends: in the orders, "no orders", or an error with a retry.
   htmx leaves the "loading" text in place when the request fails, times out (hx-request timeout) or cannot
   be sent; this turns that into an error and a button that puts a fresh loading panel back. */
(function () {
  "use strict";
  var placeholder = document.getElementById("orders");
  if (!placeholder || !placeholder.dataset.failed) return;
  var fresh = placeholder.cloneNode(true);

  function retry(panel) {
    var again = fresh.cloneNode(true);
    panel.replaceWith(again);
    htmx.process(again);  // its hx-trigger="load" asks again
  }
  function failed(event) {
    var elt = event.detail && event.detail.elt;
    var panel = elt && elt.closest ? elt.closest("#orders") : null;
    if (!panel) return;
    panel.removeAttribute("aria-busy");
    panel.removeAttribute("hx-get");
    panel.textContent = "";
    var message = document.createElement("p");
    message.className = "orders-error";
    message.setAttribute("role", "alert");
    message.textContent = fresh.dataset.failed;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "outline small";
    button.textContent = fresh.dataset.retry;
    button.addEventListener("click", function () { retry(panel); });
    panel.append(message, button);
  }
  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, failed);
  });
})();
