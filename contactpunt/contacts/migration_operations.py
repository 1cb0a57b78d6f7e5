"""Migration operations of our own, for changes Django's would make too costly on a large database."""

from __future__ import annotations

from typing import Any

from django.db import migrations


class DropForeignKeyIndex(migrations.AlterField):
    """AlterField of a foreign key to `db_index=False`, dropping only its index in the database.

    Where a composite index starts with the column, the foreign key's own index is redundant. On
    SQLite Django's AlterField rebuilds the whole table for it (a copy of every row: minutes on a
    table of millions of events); dropping the index is all that changes.
    """

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        name = schema_editor._create_index_name(model._meta.db_table, [field.column], suffix="")
        schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field(self.name)]))

    def describe(self) -> str:
        return f"Drop the index of {self.model_name}.{self.name} (a composite index starts with it)"
