"""The day level of the rollups (`DayRollup`), filled from the interval rows already there: an upgraded installation
reads its months from it at once, with the same figures (a day a dirty contact touches is read from its intervals
until the next refresh sums it again)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max, Min


def fill(apps, schema_editor):
    from contactpunt.kpis import rollups_days
    from contactpunt.kpis.intervals import INTERVAL
    from contactpunt.kpis.rollups_rows import STANDARD_THRESHOLDS

    interval_rollup = apps.get_model("kpis", "IntervalRollup")
    queue = apps.get_model("contacts", "Queue")
    bounds = interval_rollup.objects.aggregate(first=Min("start"), last=Max("start"))
    if bounds["first"] is None:
        return
    limits = sorted(set(STANDARD_THRESHOLDS) | set(queue.objects.values_list("sl_threshold_s", flat=True)))
    rollups_days.replace(*rollups_days.local_days(bounds["first"], bounds["last"] + INTERVAL), limits=limits)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0017_event_log_partitioned'),
        ('kpis', '0009_rollup_covering_index'),
        ('people', '0004_dutch_column_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='DayRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(max_length=8)),
                ('channel', models.CharField(max_length=10)),
                ('offered', models.PositiveIntegerField(default=0)),
                ('answered', models.PositiveIntegerField(default=0)),
                ('abandoned', models.PositiveIntegerField(default=0)),
                ('short_abandons', models.PositiveIntegerField(default=0)),
                ('waiting', models.PositiveIntegerField(default=0, help_text='Units without an outcome when last rebuilt.')),
                ('handled', models.PositiveIntegerField(default=0)),
                ('transferred', models.PositiveIntegerField(default=0, help_text='Handled units with at least one transfer.')),
                ('wait_answered_s', models.FloatField(default=0.0)),
                ('talk_s', models.FloatField(default=0.0)),
                ('hold_s', models.FloatField(default=0.0)),
                ('wrap_s', models.FloatField(default=0.0)),
                ('answered_within_sl', models.PositiveIntegerField(default=0, help_text="Answered within the queue's own threshold.")),
                ('answered_within', models.JSONField(default=dict, help_text='Threshold in seconds -> answered within it.')),
                ('wait_histogram', models.JSONField(default=dict, help_text='Upper edge of the wait bucket -> answered.')),
                ('day', models.DateField()),
                ('queue', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.queue')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.team')),
            ],
            options={
                'indexes': [models.Index(fields=['level', 'day'], name='dayrollup_level_day_idx')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
