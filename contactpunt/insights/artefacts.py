"""Model files: one ``.npz`` of numeric arrays plus a JSON manifest, never a pickle.

An artefact is a NumPy ``.npz`` archive written with ``allow_pickle=False``; the manifest (format,
kind, classes, threshold, measured scores, provenance) is stored inside it as a UTF-8 JSON string.
Loading such a file runs no code from it, so a model file from elsewhere is data, not a program.
The version is a digest of the arrays and the manifest's model fields, so two identical trainings
give the same version and any change to the weights gives a new one.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT = "contactpunt-insights"
FORMAT_VERSION = 1
_MANIFEST_KEY = "__manifest__"


class ArtefactError(ValueError):
    """The file is not a readable insights artefact of the expected kind and format version."""


@dataclass(frozen=True)
class Artefact:
    """The arrays and the manifest of a model file."""

    manifest: dict[str, Any]
    arrays: dict[str, npt.NDArray[Any]]


def content_version(arrays: dict[str, npt.NDArray[Any]], model_fields: dict[str, Any]) -> str:
    """Return a 12-hex-digit digest of the arrays (by name) and the JSON of ``model_fields``."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str(array.dtype).encode())
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    digest.update(json.dumps(model_fields, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def save_artefact(path: Path, *, manifest: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> None:
    """Write the artefact to ``path`` (compressed), atomically: a reader never sees half a file."""
    if _MANIFEST_KEY in arrays:
        raise ValueError(f"{_MANIFEST_KEY} is reserved")
    for name, array in arrays.items():
        if array.dtype == object:
            raise ValueError(f"array {name!r} holds Python objects; artefacts hold numbers and strings only")
    full_manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, **manifest}
    buffer = io.BytesIO()
    payload: dict[str, Any] = {**arrays, _MANIFEST_KEY: np.array(json.dumps(full_manifest, sort_keys=True))}
    np.savez_compressed(buffer, **payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(path)


def load_artefact(path: Path, *, kind: str) -> Artefact:
    """Read an artefact of ``kind``; raise :class:`ArtefactError` for anything else."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _MANIFEST_KEY not in archive.files:
                raise ArtefactError(f"{path} is not an insights model file (no manifest)")
            manifest = json.loads(str(archive[_MANIFEST_KEY]))
            arrays = {name: archive[name] for name in archive.files if name != _MANIFEST_KEY}
    except (OSError, ValueError, json.JSONDecodeError) as error:
        if isinstance(error, ArtefactError):
            raise
        raise ArtefactError(f"{path} is not a readable insights model file: {error}") from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ArtefactError(f"{path} has format {manifest.get('format')!r} v{manifest.get('format_version')!r}")
    if manifest.get("kind") != kind:
        raise ArtefactError(f"{path} holds a {manifest.get('kind')!r} model, not a {kind!r} model")
    return Artefact(manifest=manifest, arrays=arrays)
