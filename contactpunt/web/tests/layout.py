"""What the layout test looks for on a page: horizontal overflow and words broken across lines.

`PROBLEMS_JS` (layout_problems.js) runs in the page and returns one line per problem:
- the document scrolls sideways (scrollWidth > clientWidth);
- an element's content overflows its box sideways while no ancestor scrolls it (a wide table inside a
  scroll container is fine; the same table spilling out of a card is not); clipped content (overflow hidden
  without an ellipsis) counts too;
- a short word (a label, a figure such as "7:40:30") is broken over two lines, as a squeezed button does
  ("T-o-o-n"). Long tokens (URLs, e-mail addresses) may break; they are longer than MAX_WORD. A line may end
  after a hyphen ("tv-" / "ontvanger"): the parts between hyphens are the words checked;
- a closed drop-down (select) is too narrow for the option it shows, so a name is cut off;
- a grid of figure tiles (.tiles) leaves one card alone on its last row.
"""

from __future__ import annotations

from pathlib import Path

MAX_WORD = 16

PROBLEMS_JS = (Path(__file__).parent / "layout_problems.js").read_text(encoding="utf-8")
