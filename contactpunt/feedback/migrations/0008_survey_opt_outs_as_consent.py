"""Every survey opt-out given before consent was recorded becomes the customer's no to surveys in their consent
history (given when they opted out, by the survey link), as new opt-outs are."""

from django.db import migrations


def opt_outs_as_consent(apps, schema_editor):  # type: ignore[no-untyped-def]
    opt_out = apps.get_model("feedback", "SurveyOptOut")
    consent = apps.get_model("customers", "Consent")
    consent.objects.bulk_create(
        [
            consent(
                customer_id=row.customer_id,
                purpose="surveys",
                channel="",
                is_granted=False,
                given_at=row.created_at,
                source="customer",
                note="survey link",
            )
            for row in opt_out.objects.iterator()
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_consent"),
        ("feedback", "0007_promoter_reply"),
    ]

    operations = [migrations.RunPython(opt_outs_as_consent, migrations.RunPython.noop)]
