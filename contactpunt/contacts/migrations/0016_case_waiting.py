"""The inbox's figures on the case (`Case.waiting_since`, `Case.waiting_count`), filled from the contacts that wait."""

from django.conf import settings
from django.db import migrations, models

# `contacts.models.waiting_condition`, written out: a migration keeps the definition of its own day.
WAITING = (
    "c.direction = 'inbound' AND ((c.channel IN ('phone', 'chat') AND c.status = 'queued') OR "
    "(c.status IN ('queued', 'in_progress') AND c.channel IN ('email', 'social', 'whatsapp', 'webform')))"
)
FILL = f"""
UPDATE contacts_case SET
    waiting_since = (SELECT MIN(c.occurred_at) FROM contacts_contact c
                     WHERE c.case_id = contacts_case.id AND {WAITING}),
    waiting_count = (SELECT COUNT(*) FROM contacts_contact c WHERE c.case_id = contacts_case.id AND {WAITING})
WHERE id IN (SELECT c.case_id FROM contacts_contact c WHERE {WAITING})
"""  # noqa: S608 - constant SQL


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0015_dutch_column_names"),
        ("customers", "0005_dutch_column_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="waiting_count",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False, verbose_name="contacts waiting"),
        ),
        migrations.AddField(
            model_name="case",
            name="waiting_since",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="waiting since"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "pending"])),
                fields=["queue", "waiting_since"],
                include=("id", "status", "assignee", "waiting_count"),
                name="case_open_waiting_idx",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=True),
    ]
