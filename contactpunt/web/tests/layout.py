"""What the layout test looks for on a page: horizontal overflow and words broken across lines.

`PROBLEMS_JS` (layout_problems.js) runs in the page and returns one line per problem:
- the document scrolls sideways (scrollWidth > clientWidth);
- an element's content overflows its box sideways while no ancestor scrolls it (a wide table inside a
  scroll container that says so is fine, see below; the same table spilling out of a card is not); clipped
  content (overflow hidden without an ellipsis) counts too;
- a box scrolls sideways without saying so: web/tables.js marks a cut-off table's scroll box (a hint above it,
  a fade on the side with more columns); a box without those signs let "Zaak" (the inbox) and the check-in
  table's last columns disappear unnoticed, since content inside a scroll box never counted as spilling;
- on a phone (<= 576 px) a table is cut off at all: every table stacks its rows into cards there, only a
  `table.matrix` (the shift plan, the skills matrix, cohorts) keeps its columns and scrolls;
- a short word (a label, a figure such as "7:40:30") is broken over two lines, as a squeezed button does
  ("T-o-o-n"). Long tokens (URLs, e-mail addresses) may break; they are longer than MAX_WORD. A line may end
  after a hyphen ("tv-" / "ontvanger"): the parts between hyphens are the words checked; but not after a single
  letter in a label, header or cell ("E-" / "mail" in a squeezed queue column); text in a closed <details> is
  not shown and not checked;
- at 1280 px the top bar wraps onto a second line (its links and menus no longer share one line);
- a closed drop-down (select) is too narrow for the option it shows, so a name is cut off;
- a grid of figure tiles (.tiles) leaves one card alone on its last row;
- on a Dutch page, a date whose month is capitalised or English ("9 Sep", "26 Okt") or written with slashes
  ("12/06/2026"); what customers and colleagues wrote (messages, notes) is not checked. (A date field,
  <input type=date>, is drawn by the browser in the browser's own language whatever the page's lang says: it is
  not text of the page and cannot be checked or forced here.)
"""

from __future__ import annotations

from pathlib import Path

MAX_WORD = 16

PROBLEMS_JS = (Path(__file__).parent / "layout_problems.js").read_text(encoding="utf-8")
