/* What the layout test looks for on a page (see layout.py): returns one line per problem. */
(maxWord) => {
  const problems = [];
  const doc = document.documentElement;
  const name = (el) => {
    const classes = (node) => (typeof node.className === "string" ? node.className.trim().split(/\s+/) : []);
    let text = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
    if (classes(el).length && classes(el)[0]) text += "." + classes(el).join(".");
    const parent = el.parentElement;
    const parentName = parent ? parent.tagName.toLowerCase() + (classes(parent)[0] ? "." + classes(parent)[0] : "") : "";
    return parentName + " > " + text + ' "' + (el.innerText || "").trim().slice(0, 40).replace(/\s+/g, " ") + '"';
  };
  if (doc.scrollWidth > doc.clientWidth + 1) {
    problems.push("the page scrolls sideways: " + doc.scrollWidth + " > " + doc.clientWidth);
  }
  const scrolls = (style) => style.overflowX === "auto" || style.overflowX === "scroll";
  const visible = (el, style) => style.display !== "none" && style.visibility !== "hidden" && el.getClientRects().length > 0;
  const insideScroller = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(getComputedStyle(up))) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (!visible(el, style) || style.display === "inline" || style.display === "contents") continue;
    if (["svg", "script", "style", "option", "select", "textarea", "input", "dialog"].includes(el.tagName.toLowerCase())) continue;
    if (el.closest("svg, dialog:not([open])")) continue;
    if (scrolls(style)) continue;  // a scroll container: its content may be wider
    if (el.clientWidth <= 2) continue;  // visually hidden helpers
    if (el.scrollWidth > el.clientWidth + 1) {
      if (style.overflowX !== "visible" && style.textOverflow === "ellipsis") continue;  // deliberate ellipsis
      if (insideScroller(el)) continue;
      problems.push("overflows its box by " + (el.scrollWidth - el.clientWidth) + "px: " + name(el));
    }
  }
  // A box that scrolls sideways hides part of what it holds: it must say so (web/tables.js marks it and shows a
  // hint above it), or a reader takes the visible columns for the whole table ("Zaak" cut off on a phone). On a
  // phone only a matrix keeps its columns; every other table stacks its rows into cards and is never cut.
  const phone = window.innerWidth <= 576;
  for (const box of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(box);
    if (!scrolls(style) || !visible(box, style) || box.scrollWidth <= box.clientWidth + 1) continue;
    if (box.closest("dialog:not([open])")) continue;
    const cut = box.scrollWidth - box.clientWidth;
    const hint = box.previousElementSibling;
    const hinted = box.classList.contains("scrolls-x") && hint && hint.classList.contains("scroll-hint") && visible(hint, getComputedStyle(hint));
    if (!hinted) problems.push("scrolls sideways without showing it (" + cut + "px out of view): " + name(box));
    const tables = box.matches("table") ? [box] : Array.from(box.querySelectorAll("table"));
    if (phone && tables.some((table) => !table.classList.contains("matrix"))) {
      problems.push("a table is cut on a phone (" + cut + "px out of view) instead of stacking its rows: " + name(box));
    }
  }
  // On a wide screen (1280 px) the top bar is one line: its items (the brand, the links and menus, the person's
  // menu) sit side by side. Fourteen links once pushed it onto three lines for a team lead.
  if (window.innerWidth >= 1200) {
    const rows = [];
    for (const item of document.querySelectorAll("header.topbar nav > ul > li")) {
      if (!visible(item, getComputedStyle(item))) continue;
      const box = item.getBoundingClientRect();
      const row = rows.find((r) => Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top) > box.height / 2);
      if (row) row.items.push(item); else rows.push({ top: box.top, bottom: box.bottom, items: [item] });
    }
    if (rows.length > 1) {
      const bar = document.querySelector("header.topbar");
      problems.push("the top bar wraps onto " + rows.length + " lines (" + Math.round(bar.getBoundingClientRect().height) +
        "px high); the second starts with " + name(rows[1].items[0]));
    }
  }
  // A closed drop-down shows its chosen option: cut off, a name or a label cannot be read. Its text is measured
  // in the select's own font against the room inside its padding (where the arrow is drawn).
  const canvas = document.createElement("canvas").getContext("2d");
  for (const select of document.body.querySelectorAll("select")) {
    const style = getComputedStyle(select);
    if (!visible(select, style) || select.multiple || select.size > 1 || select.selectedIndex < 0) continue;
    if (select.closest("dialog:not([open])")) continue;
    canvas.font = style.font || `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex].text.trim();
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const needed = canvas.measureText(text).width;
    if (needed > room + 1) {
      problems.push("a drop-down cuts its text (" + Math.round(needed) + " > " + Math.round(room) + "px): " + name(select) + ' "' + text.slice(0, 40) + '"');
    }
  }
  // A grid of figure tiles leaves no card alone on its last row (an untidy grid: "7 tiles, 6 + 1").
  for (const grid of document.body.querySelectorAll(".tiles")) {
    const cards = Array.from(grid.children).filter((el) => visible(el, getComputedStyle(el)));
    const rows = new Map();
    for (const card of cards) {
      const top = Math.round(card.getBoundingClientRect().top);
      rows.set(top, (rows.get(top) || 0) + 1);
    }
    const counts = Array.from(rows.entries()).sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
    const last = cards[cards.length - 1];
    const fills = last && last.getBoundingClientRect().width >= grid.clientWidth * 0.9;  // spans the whole row
    if (counts.length > 1 && counts[counts.length - 1] === 1 && !fills) {
      problems.push("a card sits alone on the last row of its grid (rows of " + counts.join(", ") + "): " + name(grid));
    }
  }
  // Words broken over two lines (letter by letter in a squeezed button, a figure spilling in a card).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("svg, script, style, option, select, textarea, dialog:not([open])")) continue;
    const folded = parent.closest("details:not([open])");  // laid out, but not shown: only its summary is
    if (folded && !parent.closest("summary")) continue;
    const style = getComputedStyle(parent);
    if (!visible(parent, style)) continue;
    const text = node.textContent;
    const words = /[^\s\u00a0\-\u2010\u2011]+/g;  // a break after a hyphen is allowed
    for (let match = words.exec(text); match; match = words.exec(text)) {
      if (match[0].length < 2 || match[0].length > maxWord) continue;
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) {
        const key = parent.tagName + match[0];
        if (seen.has(key)) continue;
        seen.add(key);
        problems.push('the word "' + match[0] + '" breaks over ' + tops.size + " lines: " + name(parent));
      }
    }
    // A break after a hyphen is fine ("tv-" / "ontvanger"), but not after a single letter ("E-" / "mail") in a
    // label, a header or a cell (running text of a paragraph may break there, as a printed page does).
    if (text.trim().length > 60) continue;
    const tokens = /[^\s\u00a0]+/g;
    for (let match = tokens.exec(text); match; match = tokens.exec(text)) {
      const token = match[0];
      if (token.length > maxWord || !/(^|[^\p{L}\p{N}])\p{L}[\-\u2010]/u.test(token)) continue;
      range.setStart(node, match.index);
      range.setEnd(node, match.index + token.length);
      const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      const key = parent.tagName + token;
      if (tops.size > 1 && !seen.has(key)) {
        seen.add(key);
        problems.push('the word "' + token + '" breaks after a single letter: ' + name(parent));
      }
    }
  }
  // A Dutch screen writes a date's month in lower case ("6 december", "9 sep"): a capitalised or English month
  // after a day number is a date formatted the English way. What customers and colleagues wrote is left alone.
  if (document.documentElement.lang === "nl") {
    const month = /\b\d{1,2} (Januari|Februari|Maart|April|Mei|Juni|Juli|Augustus|September|Oktober|November|December|Jan|Feb|Mrt|Apr|Jun|Jul|Aug|Sep|Okt|Nov|Dec|January|February|March|May|June|July|August|October|Mar|Oct)\b/;
    const numeric = /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/;  // "12/06/2026": an English browser's way, not "12-6-2026"
    const written = ".item-text, .subject, .preview, .checkin-note, .review-message, blockquote, textarea, input, option";
    const dates = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = dates.nextNode(); node; node = dates.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(written + ", svg, script, style, dialog:not([open])")) continue;
      const found = month.exec(node.textContent) || numeric.exec(node.textContent);
      const key = "date " + parent.tagName + (parent.parentElement ? parent.parentElement.tagName : "");
      if (found && !seen.has(key) && visible(parent, getComputedStyle(parent))) {
        seen.add(key);  // one line per kind of place: a list of dates is one problem
        problems.push('a date written the English way ("' + found[0] + '"): ' + name(parent));
      }
    }
  }
  return problems;
}
