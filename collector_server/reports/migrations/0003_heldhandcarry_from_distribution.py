"""HeldHandcarry moves from the signatures app (label "distribution") to reports (label
"ingest"): state only, the table `distribution_heldhandcarry` and its rows stay as they are."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0002_alter_report_raw"),
        ("distribution", "0002_held_handcarry_files"),
        ("ledger", "0004_device_token_revocation_pending_move_handcarry_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HeldHandcarry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("sha256", models.CharField(max_length=64, unique=True)),
                        ("data", models.BinaryField()),
                        ("report_id", models.UUIDField(db_index=True)),
                        ("fingerprint", models.CharField(max_length=128)),
                        ("hostname", models.CharField(blank=True, max_length=255)),
                        ("verdict", models.CharField(blank=True, max_length=16)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("public_key", models.CharField(max_length=64)),
                        ("reason", models.CharField(max_length=255)),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("held", "Held for review"),
                                    ("accepted", "Accepted"),
                                    ("rejected", "Rejected"),
                                ],
                                db_index=True,
                                default="held",
                                max_length=16,
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "device",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="ledger.device",
                            ),
                        ),
                        (
                            "imported_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                help_text="where a device not in the ledger goes",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="ledger.organisation",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-received_at", "-id"],
                        "db_table": "distribution_heldhandcarry",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
