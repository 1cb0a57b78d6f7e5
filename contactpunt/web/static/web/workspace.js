/* The agent workspace: the live websocket feed, work-session timing and keyboard shortcuts (the reply box's
   template picker is template-picker.js).
   Live messages ({kind, case_id, ...}) become a `cp:live` event on <body>, and a `cp:live-case` event on
   the elements marked data-live-case with that case (data-live-kinds narrows it); htmx partials listen. */
(function () {
  "use strict";
  var root = document.getElementById("workspace");
  if (!root) return;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // -- live ------------------------------------------------------------------------------------
  var status = document.getElementById("live-status");
  // Lists refresh at most every REFRESH_MS, and always after the last change of a burst (htmx's own
  // throttle drops the events that follow, which would lose the last change).
  var REFRESH_MS = 1500;
  var refreshTimer = null;
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      document.body.dispatchEvent(new CustomEvent("cp:refresh"));
    }, REFRESH_MS);
  }
  var delay = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
    socket.onopen = function () {
      delay = 1000;
      status.textContent = status.dataset.connected;
      status.classList.add("on");
      root.dataset.live = "on";
    };
    socket.onmessage = function (message) {
      var detail = JSON.parse(message.data);
      document.body.dispatchEvent(new CustomEvent("cp:live", { detail: detail }));
      // Parts of a case page refresh on news of their case (and, with data-live-kinds, of those kinds):
      // decided here, as the Content-Security-Policy allows htmx no eval for a filter.
      document.querySelectorAll('[data-live-case="' + detail.case_id + '"]').forEach(function (element) {
        var kinds = element.dataset.liveKinds;
        if (!kinds || kinds.split(" ").indexOf(detail.kind) >= 0) {
          element.dispatchEvent(new CustomEvent("cp:live-case", { detail: detail }));
        }
      });
      scheduleRefresh();
    };
    socket.onclose = function () {
      status.textContent = status.dataset.disconnected;
      status.classList.remove("on");
      root.dataset.live = "off";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();

  // -- a call or chat waits while the agent is available: a visible alert (the server renders it), a tone
  //    when more are waiting than before, and the count in the tab's title ---------------------------------
  var baseTitle = document.title;
  var waitingBefore = 0;
  function tone() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      var audio = new Context();
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.4);
      oscillator.onended = function () { audio.close(); };
    } catch (error) { /* no sound allowed yet: the alert is still shown */ }
  }
  function noticeWaiting(first) {
    var slot = document.getElementById("waiting-alert");
    if (!slot) return;
    var count = parseInt(slot.dataset.waiting || "0", 10);
    document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    if (count > waitingBefore && !first) {
      tone();
      root.dataset.alerted = String(count);
    }
    waitingBefore = count;
  }
  noticeWaiting(true);
  ["htmx:afterSettle", "htmx:oobAfterSwap"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      if (event.target && event.target.id === "waiting-alert") noticeWaiting(false);
    });
  });

  // -- the case: work session --------------------------------------------------------
  var caseRoot = document.getElementById("case");
  if (caseRoot && caseRoot.dataset.openUrl) {
    fetch(caseRoot.dataset.openUrl, { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
    // A heartbeat while the page is open: a browser killed without "pagehide" stops beating, and after two
    // minutes of silence (contacts.models.events.PRESENT_WITHIN) colleagues no longer see this agent on the case.
    setInterval(function () {
      fetch(caseRoot.dataset.heartbeatUrl, { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
    }, 30000);
    window.addEventListener("pagehide", function () {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf());
      navigator.sendBeacon(caseRoot.dataset.leaveUrl, body);
    });
  }

  // -- toasts fade after a while (errors stay) -----------------------------------------------------
  document.querySelectorAll(".toast-success, .toast-info").forEach(function (toast) {
    setTimeout(function () { toast.classList.add("gone"); }, 6000);
  });

  // -- keyboard shortcuts -------------------------------------------------------------------------
  var dialog = document.getElementById("shortcuts");
  function openHelp() { if (dialog && !dialog.open) dialog.showModal(); }
  document.getElementById("shortcuts-open").addEventListener("click", openHelp);
  document.getElementById("shortcuts-close").addEventListener("click", function () { dialog.close(); });

  function focusField(id) {
    var field = document.getElementById(id);
    if (field) { field.scrollIntoView({ block: "center" }); field.focus(); }
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.inbox tbody tr[data-case]")); }
  function moveSelection(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(document.activeElement);
    var next = all[Math.max(0, Math.min(all.length - 1, index + step))];
    next.focus();
  }
  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches && target.matches("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form) {
        event.preventDefault();
        // Ctrl+Enter sends without resolving (no submitter: the form's default); Ctrl+Shift+Enter presses the
        // form's "... and resolve" button when it has one.
        var resolving = event.shiftKey ? target.form.querySelector("[data-resolves]") : null;
        if (resolving) target.form.requestSubmit(resolving); else target.form.requestSubmit();
      } else if (event.key === "Escape") {
        target.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "i") { location.href = root.dataset.inboxUrl; }
      return;
    }
    switch (key) {
      case "g": pendingG = true; setTimeout(function () { pendingG = false; }, 1000); break;
      case "?": openHelp(); break;
      case "n": case "N":
        var next = document.querySelector("#take-next button");
        if (next && !next.disabled) next.click();
        break;
      case "a": case "A":
        var select = document.getElementById("state-select");
        if (select) { select.value = "available"; select.dispatchEvent(new Event("change", { bubbles: true })); }
        break;
      case "j": moveSelection(1); break;
      case "k": moveSelection(-1); break;
      case "Enter":
        if (target.dataset && target.dataset.case) {
          var link = target.querySelector("a.case-link");
          if (link) link.click();
        }
        break;
      case "r": case "R": focusField("reply-body"); break;
      case "m": case "M": focusField("note-text"); break;
      case "t": case "T": focusField("transfer-queue"); break;
      case "w": case "W": focusField("wrap-reason"); break;
      default: return;
    }
    event.preventDefault();
  });
})();
