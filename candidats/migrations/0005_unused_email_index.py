"""The (centre, e-mail) index of candidates: no query reads it (the search compares e-mails with
icontains, through the trigram index of 0003; make bench counted 0 scans), yet every new candidate
writes it. 94 MB at national scale (1,000,000 candidates); a 5,000-row import wrote about 0.5 MB
of WAL less without it (17.9 → 17.4 MB, median of six)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('candidats', '0004_redundant_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='candidat',
            name='candidats_c_centre__ffd96a_idx',
        ),
    ]
