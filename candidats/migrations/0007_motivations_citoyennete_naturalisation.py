"""« Accès à la citoyenneté » (C) served both Canadian citizenship and French naturalisation: C now means
Canadian citizenship, N French naturalisation. A candidate marked C who sat (or pre-registered for) the
TEF IRN and never the TEF Canada is moved to N; every other C stays Canadian citizenship."""

from django.db import migrations


def forwards(apps, schema_editor):
    Candidat = apps.get_model("candidats", "Candidat")
    PreInscription = apps.get_model("candidats", "PreInscription")
    irn = Candidat.objects.filter(motivation="C", inscriptions__session__produit__code="TEFIRN")
    tefcan = Candidat.objects.filter(inscriptions__session__produit__code="TEFCAN").values("pk")
    Candidat.objects.filter(pk__in=irn.exclude(pk__in=tefcan).values("pk")).update(motivation="N")
    PreInscription.objects.filter(motivation="C", session__produit__code="TEFIRN").update(motivation="N")


class Migration(migrations.Migration):
    dependencies = [("candidats", "0006_levels_model"), ("sessions_app", "0003_absences_declarees_and_code_verification"), ("tarifs", "0003_reference_data")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
