"""Where Contactpunt keeps its files, readable before Django's settings load."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Return the data folder: CONTACTPUNT_DATA_DIR, or ./data beside the source tree."""
    default = Path(__file__).resolve().parent.parent.parent / "data"
    return Path(os.environ.get("CONTACTPUNT_DATA_DIR", "").strip() or default).resolve()
