# The Sequence model now lives in the kernel app "core" (same table): removed from this app's state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("portail", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Sequence")], database_operations=[]),
    ]
