"""Writes to an app's rows go through that app's own modules (its services): a scan of the source for
`Model.objects.<write>(...)` (create, update, delete, bulk writes, upserts, also at the end of a queryset chain)
and for the fast writers (`fast_insert.build(Model, ...)`, `insert_rows(Model, ...)`) on a model another app owns.
Writes that stay outside would be listed below, each with why.

`instance.save()` and writes through related managers are not seen by this scan (the type of the instance is
unknown to a syntax tree); the reviewing rule in docs/architecture.md covers them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
WRITES = {"create", "bulk_create", "bulk_update", "update", "delete", "get_or_create", "update_or_create"}

#: file relative to contactpunt/ -> the other apps' models it may write, and why. Empty: the call-log import, the
#: simulator and the demo make people through `people.organisation`, reference data through `contacts.services`.
ALLOWED: dict[str, tuple[set[str], str]] = {}


def _owners() -> dict[str, str]:
    """Model class name -> the contactpunt app that owns it (the module path's second part)."""
    owners: dict[str, str] = {}
    for model in apps.get_models():
        parts = model.__module__.split(".")
        if parts[0] == "contactpunt":
            owners[model.__name__] = parts[1]
    return owners


def _files() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts and path.name != "conftest.py"
    ]


def _imported_models(tree: ast.Module, owners: dict[str, str]) -> dict[str, str]:
    """Local name -> owning app, for the models a module imports from contactpunt."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("contactpunt."):
            for alias in node.names:
                if alias.name in owners:
                    names[alias.asname or alias.name] = owners[alias.name]
    return names


#: The fast writers of `contactpunt.fast_insert` that take the model as their first argument (building an instance
#: is how its rows are written by `save_new`).
FAST_WRITES = {"build", "insert_rows"}


def _model_of_write(call: ast.Call) -> tuple[str, str] | None:
    """(model name, write) when `call` is `Model.objects....<write>(...)`, or `fast_insert.build(Model, ...)` and
    `insert_rows(Model, ...)`."""
    func = call.func
    fast = (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "fast_insert"
    ) or (isinstance(func, ast.Name) and func.id == "insert_rows")
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if fast and name in FAST_WRITES and call.args and isinstance(call.args[0], ast.Name):
        return call.args[0].id, name
    if not isinstance(func, ast.Attribute) or func.attr not in WRITES:
        return None
    node: ast.AST = func.value
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute) and node.attr != "objects":
            node = node.value
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return node.value.id, func.attr
        else:
            return None


def foreign_writes() -> list[str]:
    owners = _owners()
    found = []
    for path in _files():
        relative = path.relative_to(ROOT).as_posix()
        app = relative.split("/")[0] if "/" in relative else ""
        tree = ast.parse(path.read_text(encoding="utf-8"))
        models = _imported_models(tree, owners)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            write = _model_of_write(node)
            if write is None or write[0] not in models or models[write[0]] == app:
                continue
            if write[0] in ALLOWED.get(relative, (set(), ""))[0]:
                continue
            found.append(f"{relative}:{node.lineno} {write[0]}.objects...{write[1]}() (owned by {models[write[0]]})")
    return sorted(found)


def test_no_app_writes_another_apps_models():
    assert foreign_writes() == []


def test_the_allowlist_has_no_stale_entries():
    owners = _owners()
    for relative, (models, _why) in ALLOWED.items():
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        written = {w[0] for w in (_model_of_write(n) for n in ast.walk(tree) if isinstance(n, ast.Call)) if w}
        assert models <= written, (relative, models - written)
        assert models <= set(owners)
