"""ProductType moves to customers: the case's foreign key follows it and the model leaves this app.

State only: the table (contacts_producttype), its rows and the foreign key constraint stay as they are
(an AlterField would make SQLite copy every case to point the key at the same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_response_template_language_reason_retired"),
        ("customers", "0002_product_type_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="product_type",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="cases",
                        to="customers.producttype",
                    ),
                ),
                migrations.DeleteModel(name="ProductType"),
            ],
            database_operations=[],
        ),
    ]
