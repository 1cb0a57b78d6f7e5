"""The event log partitioned by month on PostgreSQL (`contacts.partitions`); its idempotency key moves to `EventKey`.

A partitioned table's unique keys must hold the partition column, so (source, external_id) is kept unique in a key
table beside the log, filled here from the events that carry one. On SQLite the log stays one table.
"""

from django.db import migrations, models

FILL_KEYS = """
INSERT INTO contacts_eventkey (source, external_id, event_id)
SELECT source, external_id, id FROM contacts_contactevent WHERE external_id IS NOT NULL
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from contactpunt.contacts.partitions import partition_the_log

    partition_the_log(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0016_case_waiting'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(blank=True, default='', max_length=100)),
                ('external_id', models.CharField(max_length=255)),
                ('event_id', models.BigIntegerField(help_text='The contact event (not a foreign key: the log is partitioned).')),
            ],
            options={
                'verbose_name': 'event key',
                'verbose_name_plural': 'event keys',
            },
        ),
        migrations.RemoveConstraint(
            model_name='contactevent',
            name='event_source_external_id_unique',
        ),
        migrations.AddIndex(
            model_name='eventkey',
            index=models.Index(fields=['event_id'], name='event_key_event_idx'),
        ),
        migrations.AddConstraint(
            model_name='eventkey',
            constraint=models.UniqueConstraint(fields=('source', 'external_id'), name='event_key_unique'),
        ),
        migrations.RunSQL(FILL_KEYS, migrations.RunSQL.noop),
        migrations.RunPython(partition, elidable=False),
    ]
