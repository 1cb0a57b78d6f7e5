from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contactpunt.insights.artefacts import ArtefactError, content_version, load_artefact, save_artefact


def test_round_trip_keeps_arrays_and_manifest(tmp_path: Path) -> None:
    arrays = {"weights": np.arange(6, dtype=np.float32).reshape(2, 3), "classes": np.array(["a", "b"], dtype=np.str_)}
    path = tmp_path / "m.npz"
    save_artefact(path, manifest={"kind": "demo", "threshold": 0.25}, arrays=arrays)
    loaded = load_artefact(path, kind="demo")
    assert loaded.manifest["threshold"] == 0.25
    assert loaded.manifest["format_version"] == 1
    np.testing.assert_array_equal(loaded.arrays["weights"], arrays["weights"])
    assert loaded.arrays["classes"].tolist() == ["a", "b"]
    assert not list(tmp_path.glob("*.tmp"))


def test_refuses_python_objects(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Python objects"):
        save_artefact(tmp_path / "m.npz", manifest={"kind": "demo"}, arrays={"x": np.array([{"a": 1}], dtype=object)})


def test_wrong_kind_and_foreign_files_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save_artefact(path, manifest={"kind": "demo"}, arrays={"x": np.zeros(2)})
    with pytest.raises(ArtefactError, match="not a 'sentiment' model"):
        load_artefact(path, kind="sentiment")
    plain = tmp_path / "plain.npz"
    np.savez(plain, x=np.zeros(2))
    with pytest.raises(ArtefactError, match="no manifest"):
        load_artefact(plain, kind="demo")
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file")
    with pytest.raises(ArtefactError, match="not a readable"):
        load_artefact(garbage, kind="demo")


def test_pickled_arrays_are_never_loaded(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(
        path,
        __manifest__=np.array('{"format": "contactpunt-insights", "format_version": 1, "kind": "demo"}'),
        x=np.array([object()], dtype=object),
    )
    with pytest.raises(ArtefactError):
        load_artefact(path, kind="demo")


def test_version_follows_the_content() -> None:
    weights = {"w": np.ones(3, dtype=np.float32)}
    assert content_version(weights, {"c": 1}) == content_version({"w": np.ones(3, dtype=np.float32)}, {"c": 1})
    assert content_version(weights, {"c": 1}) != content_version({"w": np.zeros(3, dtype=np.float32)}, {"c": 1})
    assert content_version(weights, {"c": 1}) != content_version(weights, {"c": 2})
