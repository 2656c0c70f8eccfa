# The numbering sequences moved from the app "portail" to the kernel "core": the table keeps its name
# (portail_sequence), only Django's state moves (portail 0002 removes it there).

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("portail", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Sequence",
                    fields=[
                        ("name", models.CharField(max_length=50, primary_key=True, serialize=False)),
                        ("last_value", models.BigIntegerField()),
                    ],
                    options={"verbose_name": "séquence de numérotation", "db_table": "portail_sequence"},
                ),
            ],
            database_operations=[],
        ),
    ]
