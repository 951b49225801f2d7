"""HeldHandcarry now lives in the reports app (ingest 0003): forget it here, state only; the
table `distribution_heldhandcarry` and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0002_held_handcarry_files"),
        ("ingest", "0003_heldhandcarry_from_distribution"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="HeldHandcarry")],
            database_operations=[],
        ),
    ]
