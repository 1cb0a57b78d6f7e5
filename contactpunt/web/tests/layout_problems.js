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
  // Words broken over two lines (letter by letter in a squeezed button, a figure spilling in a card).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("svg, script, style, option, select, textarea, dialog:not([open])")) continue;
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
  }
  return problems;
}
