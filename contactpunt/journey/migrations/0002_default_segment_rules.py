"""The segment rules a new installation starts with; a manager changes them on the loyalty page."""

from typing import Any

from django.db import migrations

RULES = (
    ("fans", "Fans", 1, 4, 5, 4, 5),
    ("new", "Nieuw", 2, 3, 5, 1, 1),
    ("returning", "Terugkerend", 3, 3, 5, 2, 5),
    ("at_risk", "Dreigen te vertrekken", 4, 1, 2, 3, 5),
    ("lost", "Verloren", 5, 1, 2, 1, 2),
)


def add_rules(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("journey", "SegmentRule")
    for key, name, position, r_min, r_max, f_min, f_max in RULES:
        rule.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "position": position,
                "recency_min": r_min,
                "recency_max": r_max,
                "frequency_min": f_min,
                "frequency_max": f_max,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("journey", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
