"""Two more indexes no query reads (make bench counted 0 scans of each), written by every import:
- the (centre, e-mail) index of candidates: the search compares e-mails with icontains, through the
  trigram index of 0003. 94 MB at national scale (1,000,000 candidates);
- the épreuve index of the enrolments' épreuves: nothing looks them up by épreuve. 23 MB for 3.4
  million rows. Only deleting an épreuve from the catalogue (which PROTECT refuses while it is used)
  reads the table without it.
Measured on a 5,000-row import (six each): WAL 17.9 → 17.4 MB without the first, then 16.2 → 14.8 MB
without the second, whose épreuve rows were written in 34 ms instead of 45."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('candidats', '0004_redundant_indexes'),
        ('tarifs', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='candidat',
            name='candidats_c_centre__ffd96a_idx',
        ),
        migrations.AlterField(
            model_name='inscriptionepreuve',
            name='epreuve',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tarifs.epreuve'),
        ),
    ]
