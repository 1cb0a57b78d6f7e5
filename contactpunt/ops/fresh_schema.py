"""A fresh SQLite database's schema in one go, instead of the migrations one by one.

Migrating an empty database renders the model states at almost every one of the ~130 migrations' operations: about
20 s of the first start on a quiet 2-core machine, to arrive at the schema the final state describes. `create`
arrives there directly: it renders the final state once, creates every model's table (with its indexes and
constraints) from it, records every migration as applied, and then runs the migrations' data operations
(RunPython, RunSQL) in the order migrating runs them, against the final state, so an empty database gets the same
seed rows (the default surveys, the journey's segment rules and moments). `migrate` afterwards finds nothing to
apply and sends its signals as ever (content types, permissions).

Only for SQLite databases without a single table, and only when every operation of the plan is one whose effect on
an empty database is the schema of the final state or a data operation replayed here; anything else takes the
normal path, as PostgreSQL always does. tests/test_fresh_schema.py builds one database each way and compares
every table's, index's and trigger's definition and every row.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation

from contactpunt.contacts.migration_operations import DropForeignKeyIndex

#: Operations whose whole effect on an empty database is part of the final state's schema.
_SCHEMA_OPERATIONS: tuple[type[Operation], ...] = (
    migrations.CreateModel,
    migrations.DeleteModel,
    migrations.RenameModel,
    migrations.AlterModelTable,
    migrations.AlterModelTableComment,
    migrations.AlterUniqueTogether,
    migrations.AlterIndexTogether,
    migrations.AlterOrderWithRespectTo,
    migrations.AlterModelOptions,
    migrations.AlterModelManagers,
    migrations.AddField,
    migrations.RemoveField,
    migrations.AlterField,
    migrations.RenameField,
    migrations.AddIndex,
    migrations.RemoveIndex,
    migrations.RenameIndex,
    migrations.AddConstraint,
    migrations.RemoveConstraint,
    migrations.AlterConstraint,
    DropForeignKeyIndex,
)
#: Operations replayed after the schema, in the migrations' order: our own apps' (written against the final state).
_DATA_OPERATIONS: tuple[type[Operation], ...] = (migrations.RunPython, migrations.RunSQL)
#: Other apps' migrations whose data operations only rewrite rows that exist (no rows: nothing to do). They are
#: written against their own time's models, so they are not replayed; another app's data operation not listed here
#: (a new version's) sends the database the normal way.
_REWRITE_EXISTING_ROWS = frozenset(
    {
        ("contenttypes", "0002_remove_content_type_name"),  # fills the old name column of existing content types
        ("auth", "0011_update_proxy_permissions"),  # moves existing proxy models' permissions
        ("axes", "0007_alter_accessattempt_unique_together"),  # removes duplicate access attempts
        ("django_tasks_database", "0008_separate_results_field"),  # copies existing tasks' results
        ("django_tasks_database", "0011_rename_complete_status"),  # renames existing tasks' status
        ("django_tasks_database", "0013_separate_exception_fields"),  # splits existing tasks' exceptions
        ("django_tasks_database", "0016_remove_dbtaskresult_django_task_new_ordering_idx_and_more"),
        ("django_tasks_database", "0018_rename_succeeded_status"),  # renames existing tasks' status
    }
)


def create(connection: BaseDatabaseWrapper, *, applied: Callable[[Migration], None] | None = None) -> bool:
    """Create the final schema, record every migration applied and replay the data operations (see the module),
    when `connection` is an SQLite database without any table and every operation is one this stands for; return
    whether it did (False: nothing was written, migrate as ever). `applied` is called with each migration as it is
    recorded, in the order migrating applies them (`up`'s progress line)."""
    if connection.vendor != "sqlite" or connection.introspection.table_names():
        return False
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    if not plan or not all(not backwards and _known_migration(migration) for migration, backwards in plan):
        return False
    state = executor.loader.project_state()
    apps = state.apps
    with connection.schema_editor(atomic=True) as editor:
        for model in apps.get_models():
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                editor.create_model(model)  # with its many-to-many tables
    executor.recorder.ensure_schema()
    for migration, _backwards in plan:
        with connection.schema_editor(atomic=migration.atomic) as editor:
            for operation in migration.operations:
                if type(operation) in _DATA_OPERATIONS and _ours(migration):
                    operation.database_forwards(migration.app_label, editor, state, state)
        executor.recorder.record_applied(migration.app_label, migration.name)
        if applied is not None:
            applied(migration)
    return True


def _ours(migration: Migration) -> bool:
    return type(migration).__module__.startswith("contactpunt.")


def _known_migration(migration: Migration) -> bool:
    if migration.replaces or not all(_known(operation) for operation in migration.operations):
        return False
    data = any(type(operation) in _DATA_OPERATIONS for operation in migration.operations)
    return not data or _ours(migration) or (migration.app_label, migration.name) in _REWRITE_EXISTING_ROWS


def _known(operation: Operation) -> bool:
    """Whether an operation's effect on an empty database is the final state's schema, or data replayed here."""
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        # The state's side is in the final state; the database's side must be known too. The comparison test
        # shows that the two sides meet (the product types' move between apps touches no table).
        return all(_known(inner) for inner in operation.database_operations)
    # Exact types: a subclass may do more in the database than its base (as DropForeignKeyIndex does less). The
    # task queue's RenameIndexIfExists renames only an index that exists: a RenameIndex on an empty database.
    return (
        type(operation) in _SCHEMA_OPERATIONS
        or type(operation) in _DATA_OPERATIONS
        or (isinstance(operation, migrations.RenameIndex) and type(operation).__name__ == "RenameIndexIfExists")
    )
