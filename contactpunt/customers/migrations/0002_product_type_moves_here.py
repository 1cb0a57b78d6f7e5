"""ProductType moves from contacts to customers (customers may not depend on contacts).

State only: the table keeps its name (contacts_producttype) and its rows, and the foreign keys of
accounts and cases already point at it, so the database is not touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("contacts", "0008_response_template_language_reason_retired"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProductType",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "product type",
                        "verbose_name_plural": "product types",
                        "db_table": "contacts_producttype",
                        "ordering": ["name"],
                    },
                ),
                migrations.AlterField(
                    model_name="account",
                    name="product_type",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="accounts",
                        to="customers.producttype",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
