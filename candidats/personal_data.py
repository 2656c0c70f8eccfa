"""Personal data of candidates: everything held on one person, and its end of life.

- `export_candidat()`: one zip with a JSON of every record about the person (identity, enrolments, épreuves,
  results, requests, documents) and the files themselves (photos, signatures, EO recordings, attestations,
  justificatifs): the answer to an access request.
- `anonymise_candidats()`: past the retention period (PERSONAL_DATA_RETENTION_YEARS after their last session),
  identity, contacts and files are erased; what statistics need stays (genre, nationalité, langue, motivation,
  scores). Idempotent: an anonymised candidate is never touched again.
Both are logged."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import ngettext

from sessions_app.models import Document, DocumentKind

from .models import Candidat, Inscription

logger = logging.getLogger("portail.personal_data")

IDENTITY_FIELDS = (
    "nom",
    "prenom",
    "date_naissance",
    "genre",
    "langue_maternelle",
    "email",
    "telephone",
    "nationalite",
    "motivation",
    "numero_piece_identite",
    "virtuel",
    "created_at",
    "anonymised_at",
)
CAPTURES = ("photo", "signature", "enregistrement_eo")


def _value(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "code"):  # django-countries
        return value.code
    return value


def _files(inscription: Inscription):
    for field in CAPTURES:
        fieldfile = getattr(inscription, field)
        if fieldfile:
            yield f"inscription_{inscription.numero}/{fieldfile.name.rsplit('/', 1)[-1]}", fieldfile
    for document in inscription.documents.all():
        yield f"inscription_{inscription.numero}/{document.kind}_{document.nom}", document.fichier


def export_candidat(candidat: Candidat, *, by=None) -> tuple[str, bytes]:
    """(file name, zip bytes) of everything the portal holds on `candidat`."""
    inscriptions = (
        Inscription.objects.filter(candidat=candidat)
        .select_related("session__produit", "session__centre")
        .prefetch_related("epreuves__epreuve", "resultats__epreuve", "demandes", "documents")
        .order_by("created_at")
    )
    data = {
        "candidat": {name: _value(getattr(candidat, name)) for name in IDENTITY_FIELDS},
        "centre": {"code": candidat.centre.code, "nom": candidat.centre.nom},
        "inscriptions": [],
        "exporte_le": timezone.now().isoformat(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in inscriptions:
            data["inscriptions"].append(
                {
                    "numero": i.numero,
                    "date_inscription": _value(i.created_at),
                    "statut": i.get_statut_display(),
                    "code_acces": i.code_acces,
                    "tiers_temps": i.tiers_temps,
                    "fraude": i.fraude,
                    "prix_total": str(i.prix_total),
                    "keylogger": i.keylogger,
                    "session": {
                        "numero": i.session.numero,
                        "produit": i.session.produit.nom,
                        "date": _value(i.session.date),
                        "lieu": i.session.lieu,
                    },
                    "epreuves": [
                        {"code": ie.epreuve.code, "absent": ie.absent, "dispense": ie.dispense}
                        for ie in i.epreuves.all()
                    ],
                    "resultats": [
                        {
                            "epreuve": r.epreuve.code,
                            "score": r.score,
                            "sur": r.score_max,
                            "niveau_cecrl": r.niveau_cecrl,
                            "nclc": r.nclc,
                        }
                        for r in i.resultats.all()
                    ],
                    "demandes": [
                        {
                            "numero": d.numero,
                            "type": d.get_kind_display(),
                            "statut": d.get_statut_display(),
                            "description": d.description,
                            "decision": d.decision_comment,
                            "date": _value(d.created_at),
                        }
                        for d in i.demandes.all()
                    ],
                    "fichiers": [],
                }
            )
            for name, fieldfile in _files(i):
                try:
                    with fieldfile.open("rb") as f:
                        archive.writestr(name, f.read())
                except FileNotFoundError:
                    continue
                data["inscriptions"][-1]["fichiers"].append(name)
        archive.writestr("donnees.json", json.dumps(data, ensure_ascii=False, indent=2))
    logger.info(
        "Export des données personnelles du candidat %s (centre %s) par %s",
        candidat.pk,
        candidat.centre.code,
        getattr(by, "email", "système"),
    )
    return f"donnees_candidat_{candidat.pk}.zip", buffer.getvalue()


def due_for_anonymisation(years: int | None = None, today: dt.date | None = None):
    """Candidates whose last session is older than the retention period (or with no session, created before)."""
    years = settings.PERSONAL_DATA_RETENTION_YEARS if years is None else years
    today = today or timezone.localdate()
    try:
        limit = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - years, day=28)
    return (
        Candidat.objects.filter(anonymised_at__isnull=True)
        .annotate(last_session=Max("inscriptions__session__date"))
        .filter(Q(last_session__lt=limit) | Q(last_session__isnull=True, created_at__date__lt=limit))
    )


@transaction.atomic
def anonymise(candidat: Candidat) -> None:
    candidat = Candidat.objects.select_for_update().get(pk=candidat.pk)
    if candidat.anonymised_at is not None:
        return
    storages = []
    for inscription in Inscription.objects.filter(candidat=candidat):
        for field in CAPTURES:
            fieldfile = getattr(inscription, field)
            if fieldfile:
                storages.append((fieldfile.storage, fieldfile.name))
                setattr(inscription, field, "")
        inscription.keylogger = ""
        inscription.save(update_fields=[*CAPTURES, "keylogger"])
    documents = Document.objects.filter(
        inscription__candidat=candidat, kind__in=[DocumentKind.ATTESTATION, DocumentKind.JUSTIFICATIF]
    )
    storages += [(d.fichier.storage, d.fichier.name) for d in documents if d.fichier]
    documents.delete()
    candidat.nom = "ANONYME"
    candidat.prenom = f"Candidat {candidat.pk}"
    candidat.date_naissance = None
    candidat.email = candidat.telephone = candidat.numero_piece_identite = ""
    candidat.anonymised_at = timezone.now()
    candidat.save()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in storages])


def anonymise_candidats(years: int | None = None, *, dry_run: bool = False) -> int:
    ids = [c.pk for c in due_for_anonymisation(years)]
    if not dry_run:
        for candidat in Candidat.objects.filter(pk__in=ids):
            anonymise(candidat)
    n = len(ids)
    if dry_run:
        done = ngettext(
            "%(n)d candidat à anonymiser (simulation)", "%(n)d candidats à anonymiser (simulation)", n
        )
    else:
        done = ngettext("%(n)d candidat anonymisé", "%(n)d candidats anonymisés", n)
    logger.info("Rétention des données personnelles : %s", done % {"n": n})
    return len(ids)
