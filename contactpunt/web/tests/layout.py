"""What the layout test looks for on a page: horizontal overflow and words broken across lines.

`PROBLEMS_JS` runs in the page and returns one line per problem:
- the document scrolls sideways (scrollWidth > clientWidth);
- an element's content overflows its box sideways while no ancestor scrolls it (a wide table inside a
  scroll container is fine; the same table spilling out of a card is not); clipped content (overflow hidden
  without an ellipsis) counts too;
- a short word (a label, a figure such as "7:40:30") is broken over two lines, as a squeezed button does
  ("T-o-o-n"). Long tokens (URLs, e-mail addresses) may break; they are longer than MAX_WORD. A line may end
  after a hyphen ("tv-" / "ontvanger"): the parts between hyphens are the words checked.
"""

from __future__ import annotations

MAX_WORD = 16

PROBLEMS_JS = """
(maxWord) => {
  const problems = [];
  const doc = document.documentElement;
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) text += "." + el.className.trim().split(/\\s+/).join(".");
    const parent = el.parentElement;
    const parentName = parent ? parent.tagName.toLowerCase() + (parent.className && typeof parent.className === "string" ? "." + parent.className.trim().split(/\\s+/)[0] : "") : "";
    return parentName + " > " + text + ' "' + (el.innerText || el.value || "").trim().slice(0, 40).replace(/\\s+/g, " ") + '"';
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
    const words = /[^\\s\\u00a0\\-\\u2010\\u2011]+/g;  // a break after a hyphen is allowed
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
"""
