/*
 * Contactpunt web chat widget. One script tag on any site:
 *   <script src="https://contactpunt.example/channels/chat/widget.js" data-queue="chat-general" async></script>
 * Optional: data-lang="nl|en", data-title="...".
 * Plain JavaScript, no dependencies; its markup and styles live in a shadow root, so the host page's CSS
 * cannot break it and its CSS cannot leak into the page. Everything the visitor typed and did not see
 * confirmed stays in the browser's storage and is sent again on reconnect (the server keeps each message id once).
 * While the visitor types (before an agent answers), the help articles that fit are suggested; the widget asks the
 * product without cookies, with a random visitor id of its own, which the chat's hello frame carries too.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src*="/channels/chat/widget.js"]');
  if (!script || window.__contactpuntChat) return;
  window.__contactpuntChat = true;

  var queue = script.getAttribute("data-queue") || "chat";
  var base = new URL(script.src, document.baseURI);
  var socketUrl = (base.protocol === "https:" ? "wss:" : "ws:") + "//" + base.host + "/ws/chat/" +
    encodeURIComponent(queue) + "/";
  var langHint = (script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "nl");
  var lang = langHint.toLowerCase().indexOf("en") === 0 ? "en" : "nl";
  var MAX_TEXT = 2000;

  var COPY = {
    nl: {
      open: "Chat met ons", title: "Klantenservice", close: "Chat sluiten", send: "Versturen",
      placeholder: "Typ je bericht…", label: "Je bericht",
      connecting: "Verbinden…", online: "Een medewerker helpt je zo.", reconnecting: "Verbinding verbroken, opnieuw verbinden…",
      you: "Jij", agent: "Medewerker", sending: "wordt verstuurd", sent: "verstuurd",
      offline: "Er is nu geen medewerker beschikbaar. Laat je bericht achter, dan antwoorden we per e-mail.",
      closed: "De chat is nu gesloten. Laat je bericht achter, dan antwoorden we per e-mail zodra we weer open zijn.",
      name: "Naam", email: "E-mailadres", message: "Bericht", leave: "Bericht versturen",
      thanks: "Dank je wel! We antwoorden per e-mail op {email}. Je kenmerk: {case}.",
      rate_limited: "Je verstuurt berichten te snel. Wacht even en verstuur je bericht opnieuw.",
      too_long: "Je bericht is te lang (maximaal 2000 tekens). Maak het korter en verstuur opnieuw.",
      empty: "Je bericht is leeg.",
      invalid: "Controleer de gemarkeerde velden.",
      field_name: "Vul je naam in.", field_email: "Vul een geldig e-mailadres in.", field_text: "Vul je bericht in.",
      origin_not_allowed: "De chat is op deze website niet beschikbaar.",
      unknown_queue: "Deze chat bestaat niet.",
      error: "Je bericht is niet aangekomen. Probeer het opnieuw.",
      suggestions: "Misschien helpt dit je meteen:"
    },
    en: {
      open: "Chat with us", title: "Customer service", close: "Close chat", send: "Send",
      placeholder: "Type your message…", label: "Your message",
      connecting: "Connecting…", online: "An agent will be with you shortly.", reconnecting: "Connection lost, reconnecting…",
      you: "You", agent: "Agent", sending: "sending", sent: "sent",
      offline: "No agent is available right now. Leave your message and we will answer by email.",
      closed: "The chat is closed now. Leave your message and we will answer by email when we are open again.",
      name: "Name", email: "Email address", message: "Message", leave: "Send message",
      thanks: "Thank you! We will answer by email at {email}. Your reference: {case}.",
      rate_limited: "You are sending messages too quickly. Wait a moment and send your message again.",
      too_long: "Your message is too long (at most 2000 characters). Shorten it and send again.",
      empty: "Your message is empty.",
      invalid: "Please check the marked fields.",
      field_name: "Enter your name.", field_email: "Enter a valid email address.", field_text: "Enter your message.",
      origin_not_allowed: "The chat is not available on this website.",
      unknown_queue: "This chat does not exist.",
      error: "Your message did not arrive. Please try again.",
      suggestions: "These answers may help you right away:"
    }
  }[lang];
  var title = script.getAttribute("data-title") || COPY.title;

  // -- storage: the conversation token and the messages not yet confirmed --
  var storeKey = "contactpunt-chat:" + base.host + ":" + queue;
  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }
  var state = load();
  state.pending = state.pending || [];
  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify({ token: state.token || null, pending: state.pending, open: !!state.open, draft: state.draft || "", visitor: state.visitor })); } catch (e) { /* private mode: memory only */ }
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  if (!/^[0-9a-f]{32}$/.test(state.visitor || "")) state.visitor = newId().replace(/-/g, "");

  // -- markup, in a shadow root --
  var host = document.createElement("div");
  host.id = "contactpunt-chat";
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2933}" +
    // The host page may style our host element (even with !important); inherited fonts and colours stop here.
    ".wrap{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2933;text-align:left;letter-spacing:normal}" +
    "*{box-sizing:border-box;font:inherit;color:inherit}" +
    ".launcher{border:0;border-radius:999px;padding:12px 20px;background:#1565c0;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f9a825;outline-offset:2px}" +
    ".panel{display:none;flex-direction:column;width:min(360px,calc(100vw - 40px));height:min(520px,calc(100vh - 40px));background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.28);overflow:hidden}" +
    ".open .panel{display:flex}.open .launcher{display:none}" +
    "header{display:flex;align-items:center;justify-content:space-between;padding:12px 16px;background:#1565c0;color:#fff}" +
    "h2{margin:0;font-size:16px;font-weight:600}" +
    ".close{border:0;background:transparent;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:2px 6px;border-radius:6px}" +
    ".status{margin:0;padding:8px 16px;font-size:13px;color:#52606d;background:#f5f7fa;border-bottom:1px solid #e4e7eb}" +
    ".log{flex:1;overflow-y:auto;padding:12px 16px;margin:0;list-style:none;display:flex;flex-direction:column;gap:8px}" +
    ".msg{max-width:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".visitor{align-self:flex-end;background:#1565c0;color:#fff;border-bottom-right-radius:4px}" +
    ".agent{align-self:flex-start;background:#eef2f7;border-bottom-left-radius:4px}" +
    ".meta{display:block;font-size:11px;opacity:.8;margin-top:2px}" +
    ".notice{margin:8px 16px;padding:8px 12px;border-radius:8px;background:#fdecea;color:#8a1c13;font-size:13px}" +
    ".notice:empty{display:none}" +
    "form{margin:0;padding:12px 16px;border-top:1px solid #e4e7eb;display:flex;gap:8px}" +
    "form.written{flex-direction:column;overflow-y:auto}" +
    "label{font-size:13px;font-weight:600;display:block;margin-bottom:2px}" +
    "textarea,input{width:100%;border:1px solid #9aa5b1;border-radius:8px;padding:8px 10px;background:#fff;color:#1f2933}" +
    "textarea{resize:none;min-height:44px}" +
    "[aria-invalid=true]{border-color:#c62828}" +
    ".field-error{color:#c62828;font-size:12px;margin:2px 0 0}" +
    ".field-error:empty{display:none}" +
    ".primary{border:0;border-radius:8px;background:#1565c0;color:#fff;font-weight:600;padding:8px 14px;cursor:pointer}" +
    ".primary:disabled{opacity:.6;cursor:default}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}" +
    "[hidden]{display:none!important}" +
    ".written-mode .log:empty{display:none}.written-mode form.written{flex:1}" +
    ".suggest{margin:0 16px 8px;padding:8px 12px;border-radius:8px;background:#e8f1fb;font-size:13px}" +
    ".suggest p{margin:0 0 4px;font-weight:600}.suggest ul{margin:0;padding-left:18px}" +
    ".suggest a{color:#0d47a1;text-decoration:underline}" +
    "</style>" +
    '<div class="wrap">' +
    '<button type="button" class="launcher" aria-expanded="false"></button>' +
    '<section class="panel" role="dialog" aria-modal="false">' +
    '<header><h2 id="cp-title"></h2><button type="button" class="close">×</button></header>' +
    '<p class="status" role="status" aria-live="polite"></p>' +
    '<ol class="log" role="log" aria-live="polite" aria-relevant="additions"></ol>' +
    '<p class="notice" role="alert"></p>' +
    '<div class="suggest" aria-live="polite" hidden><p></p><ul></ul></div>' +
    '<form class="chat" novalidate><label class="sr" for="cp-text"></label>' +
    '<textarea id="cp-text" rows="2" maxlength="' + MAX_TEXT + '"></textarea>' +
    '<button type="submit" class="primary send"></button></form>' +
    '<form class="written" novalidate hidden>' +
    '<div><label for="cp-name"></label><input id="cp-name" name="name" autocomplete="name" maxlength="200" aria-describedby="cp-name-error"><p class="field-error" id="cp-name-error"></p></div>' +
    '<div><label for="cp-email"></label><input id="cp-email" name="email" type="email" autocomplete="email" maxlength="254" aria-describedby="cp-email-error"><p class="field-error" id="cp-email-error"></p></div>' +
    '<div><label for="cp-message"></label><textarea id="cp-message" name="text" rows="4" maxlength="10000" aria-describedby="cp-text-error"></textarea><p class="field-error" id="cp-text-error"></p></div>' +
    '<button type="submit" class="primary leave"></button></form>' +
    "</section></div>";

  function $(selector) { return root.querySelector(selector); }
  var wrap = $(".wrap"), launcher = $(".launcher"), panel = $(".panel"), status = $(".status"), log = $(".log");
  var notice = $(".notice"), chatForm = $("form.chat"), input = $("#cp-text"), writtenForm = $("form.written");
  launcher.textContent = COPY.open;
  $("#cp-title").textContent = title;
  panel.setAttribute("aria-labelledby", "cp-title");
  $(".close").setAttribute("aria-label", COPY.close);
  $("label[for=cp-text]").textContent = COPY.label;
  input.placeholder = COPY.placeholder;
  $(".send").textContent = COPY.send;
  $("label[for=cp-name]").textContent = COPY.name;
  $("label[for=cp-email]").textContent = COPY.email;
  $("label[for=cp-message]").textContent = COPY.message;
  $(".leave").textContent = COPY.leave;
  input.value = state.draft || "";

  // -- showing messages (always as text, never as markup) --
  var shown = {};
  function addLine(line, pending) {
    var key = pending ? "p:" + line.id : line.id;
    if (shown[key]) return shown[key];
    var item = document.createElement("li");
    item.className = "msg " + (line.from === "visitor" ? "visitor" : "agent");
    item.appendChild(document.createTextNode(line.text));
    var meta = document.createElement("span");
    meta.className = "meta";
    var who = line.from === "visitor" ? COPY.you : (line.name || COPY.agent);
    meta.textContent = who + (pending ? " · " + COPY.sending : "");
    item.appendChild(meta);
    item.setAttribute("data-id", key);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    shown[key] = item;
    return item;
  }
  function confirm(clientId, line) {
    var item = shown["p:" + clientId];
    delete shown["p:" + clientId];
    state.pending = state.pending.filter(function (p) { return p.id !== clientId; });
    save();
    if (shown[line.id]) { if (item) item.remove(); return; }
    if (item) {
      item.setAttribute("data-id", line.id);
      item.querySelector(".meta").textContent = COPY.you + " · " + COPY.sent;
      shown[line.id] = item;
    } else {
      addLine(line, false);
    }
  }
  function giveBack(clientId) {
    // A message the server did not take goes back into the box: nothing the visitor typed is lost.
    var item = shown["p:" + clientId];
    if (item) item.remove();
    delete shown["p:" + clientId];
    var kept = state.pending.filter(function (p) { return p.id === clientId; });
    state.pending = state.pending.filter(function (p) { return p.id !== clientId; });
    if (kept.length) input.value = kept[0].text + (input.value ? "\n" + input.value : "");
    state.draft = input.value;
    save();
  }
  function say(text) { notice.textContent = text || ""; }

  // -- suggested articles while the visitor types, until an agent answers --
  var suggestBox = $(".suggest"), suggestList = $(".suggest ul"), agentAnswered = false, asked = "", suggestTimer = null;
  $(".suggest p").textContent = COPY.suggestions;
  function showSuggestions(articles) {
    suggestList.textContent = "";
    (articles || []).forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      item.appendChild(link);
      suggestList.appendChild(item);
    });
    suggestBox.hidden = agentAnswered || !suggestList.childNodes.length;
  }
  function suggestFor(text) {
    text = text.trim().slice(0, 300);
    if (agentAnswered || text.length < 3 || text === asked || !window.fetch) return;
    asked = text;
    var url = new URL("/help/suggest/widget/", base);
    url.searchParams.set("q", text);
    url.searchParams.set("visitor", state.visitor);
    url.searchParams.set("lang", lang);
    window.fetch(url.toString(), { credentials: "omit", mode: "cors" })
      .then(function (response) { return response.ok ? response.json() : { articles: [] }; })
      .then(function (data) { if (text === asked) showSuggestions(data.articles); })
      .catch(function () { /* suggestions are a help, never in the way */ });
  }
  function typing(event) {
    window.clearTimeout(suggestTimer);
    var text = event.target.value;
    suggestTimer = window.setTimeout(function () { suggestFor(text); }, 500);
  }
  function agentHere() { agentAnswered = true; suggestBox.hidden = true; }

  // -- the written fallback --
  function toWritten(closed) {
    if (!writtenForm.hidden) return;
    var typed = state.pending.map(function (p) { return p.text; });
    state.pending.forEach(function (p) { var item = shown["p:" + p.id]; if (item) item.remove(); delete shown["p:" + p.id]; });
    state.pending = [];
    if (input.value.trim()) typed.push(input.value.trim());
    input.value = "";
    state.draft = "";
    save();
    var message = $("#cp-message");
    message.value = typed.join("\n") + (message.value ? "\n" + message.value : "");
    status.textContent = closed ? COPY.closed : COPY.offline;
    chatForm.hidden = true;
    writtenForm.hidden = false;
    wrap.classList.add("written-mode");
  }
  function fieldErrors(fields) {
    ["name", "email", "text"].forEach(function (name) {
      var field = writtenForm.querySelector("[name=" + name + "]");
      var error = $("#cp-" + name + "-error");
      var bad = fields && fields[name];
      field.setAttribute("aria-invalid", bad ? "true" : "false");
      error.textContent = bad ? COPY["field_" + name] : "";
    });
  }

  // -- the connection --
  var socket = null, retry = 0, writtenId = null, closedForGood = false;
  function send(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(payload)); return true; }
    return false;
  }
  function connect() {
    status.textContent = retry ? COPY.reconnecting : COPY.connecting;
    socket = new WebSocket(socketUrl);
    socket.onopen = function () { send({ type: "hello", token: state.token || null, lang: lang, visitor: state.visitor }); };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      handle(data);
    };
    socket.onclose = function (event) {
      if (event.code === 4403 || event.code === 4404 || closedForGood) { closedForGood = true; return; }
      retry = Math.min(retry + 1, 5);
      window.setTimeout(connect, [1000, 2000, 4000, 8000, 15000][retry - 1]);
    };
  }
  function handle(data) {
    if (data.type === "welcome") {
      retry = 0;
      if (!data.token) state.token = null;
      (data.history || []).forEach(function (line) { addLine(line, false); if (line.from !== "visitor") agentHere(); });
      if (data.staffed || data.token) {
        status.textContent = COPY.online;
      } else {
        toWritten(data.open === false);
      }
      if (writtenForm.hidden) {
        state.pending.forEach(function (p) {
          addLine({ id: p.id, from: "visitor", text: p.text }, true);
          send({ type: "message", id: p.id, text: p.text });
        });
      }
      save();
    } else if (data.type === "ack") {
      state.token = data.token;
      confirm(data.id, data.message);
    } else if (data.type === "reply") {
      addLine(data.message, false);
      agentHere();
    } else if (data.type === "unstaffed") {
      toWritten(data.open === false);
    } else if (data.type === "written_ack") {
      writtenId = null;
      var email = $("#cp-email").value;
      writtenForm.hidden = true;
      say("");
      status.textContent = COPY.thanks.replace("{email}", email).replace("{case}", data["case"]);
    } else if (data.type === "error") {
      if (data.code === "invalid") { fieldErrors(data.fields); say(COPY.invalid); writtenForm.querySelector(".leave").disabled = false; return; }
      if (data.id && data.id === writtenId) writtenForm.querySelector(".leave").disabled = false;
      if (data.id) giveBack(data.id);
      say(COPY[data.code] || COPY.error);
      if (data.code === "origin_not_allowed" || data.code === "unknown_queue") {
        closedForGood = true;
        status.textContent = COPY[data.code];
        chatForm.hidden = true;
      }
    }
  }

  // -- the visitor's actions --
  chatForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { say(COPY.empty); return; }
    if (text.length > MAX_TEXT) { say(COPY.too_long); return; }
    var item = { id: newId(), text: text };
    state.pending.push(item);
    input.value = "";
    state.draft = "";
    save();
    say("");
    addLine({ id: item.id, from: "visitor", text: text }, true);
    send({ type: "message", id: item.id, text: text });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); chatForm.requestSubmit(); }
  });
  input.addEventListener("input", function (event) { state.draft = input.value; save(); typing(event); });
  $("#cp-message").addEventListener("input", typing);
  writtenForm.addEventListener("submit", function (event) {
    event.preventDefault();
    writtenId = writtenId || newId();
    fieldErrors(null);
    say("");
    var sent = send({
      type: "written", id: writtenId, name: $("#cp-name").value, email: $("#cp-email").value, text: $("#cp-message").value
    });
    if (sent) writtenForm.querySelector(".leave").disabled = true; else say(COPY.error);
  });
  function setOpen(open) {
    state.open = open;
    save();
    wrap.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      if (!socket) connect();
      (writtenForm.hidden ? input : $("#cp-name")).focus();
    } else {
      launcher.focus();
    }
  }
  launcher.addEventListener("click", function () { setOpen(true); });
  $(".close").addEventListener("click", function () { setOpen(false); });
  root.addEventListener("keydown", function (event) { if (event.key === "Escape") setOpen(false); });

  function mount() {
    document.body.appendChild(host);
    if (state.open || state.token) {
      wrap.classList.toggle("open", !!state.open);
      launcher.setAttribute("aria-expanded", state.open ? "true" : "false");
      connect();
    }
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
