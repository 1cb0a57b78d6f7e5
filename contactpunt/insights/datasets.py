"""Reading labelled message files: CSV with a text column, an optional label column and a ``split`` column."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SPLIT_COLUMN = "split"


class DatasetError(ValueError):
    """The file cannot be used as asked (missing column, no rows of a needed split)."""


@dataclass(frozen=True)
class LabelledRows:
    """Texts with their labels ("" when the file has no label column) and splits ("" without a split column)."""

    texts: list[str]
    labels: list[str]
    splits: list[str]

    @property
    def has_splits(self) -> bool:
        """True when the file had a ``split`` column."""
        return any(self.splits)

    def subset(self, split: str) -> LabelledRows:
        """Return the rows whose split is ``split``."""
        keep = [i for i, value in enumerate(self.splits) if value == split]
        return LabelledRows(
            [self.texts[i] for i in keep], [self.labels[i] for i in keep], [self.splits[i] for i in keep]
        )

    def evaluation_rows(self) -> LabelledRows:
        """The rows to measure on: those whose split is ``test``, or every row when the file has no split column."""
        if not self.has_splits:
            return self
        rows = self.subset("test")
        if not rows.texts:
            raise DatasetError("the file has a split column but no rows whose split is 'test'")
        return rows

    def __len__(self) -> int:
        return len(self.texts)


def read_labelled_csv(path: Path, *, text_column: str, label_column: str | None) -> LabelledRows:
    """Read ``path`` (UTF-8, with a header row); rows with an empty text or an empty label are skipped.

    Raise :class:`DatasetError` when a named column is missing.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in (text_column, label_column):
            if column is not None and column not in header:
                raise DatasetError(f"{path} has no column {column!r} (columns: {', '.join(header)})")
        texts: list[str] = []
        labels: list[str] = []
        splits: list[str] = []
        for row in reader:
            text = (row.get(text_column) or "").strip()
            label = (row.get(label_column) or "").strip() if label_column else ""
            if not text or (label_column and not label):
                continue
            texts.append(text)
            labels.append(label)
            splits.append((row.get(SPLIT_COLUMN) or "").strip().lower())
    return LabelledRows(texts, labels, splits)
