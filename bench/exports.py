"""Exports at national scale, each in a process of its own so that its peak memory (ru_maxrss) is its own:

- the worker's export of 50,000 enrolments (the first by number: the measured centre's 25,290 and the
  next centres', as a filtered back-office list; "Toutes les inscriptions" rows, core.exports.run_export:
  database read in chunks, labels, number formats, the file stored), against
  openpyxl's write-only floor: the same rows, already in memory as plain values, appended to a
  write-only sheet and saved (target: ratio <= 1.5);
- the back office's export of the whole country (1,000,100 enrolments), with its peak memory: a flat
  memory shows as about the same peak as for 50,000.

`python -m bench.exports floor|list|country` runs one of them and prints its figures as JSON (called by
`measure()`, from `make bench`)."""

from __future__ import annotations

import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LIST_ROWS = 50_000


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kilobytes on Linux


def _queryset(mode: str):
    from candidats.models import Inscription

    if mode == "country":
        return Inscription.objects.all()
    last = Inscription.objects.order_by("numero").values_list("numero", flat=True)[LIST_ROWS - 1]
    return Inscription.objects.filter(numero__lte=last)


def _floor() -> dict:
    """openpyxl alone: the export's own rows (read beforehand, not timed) in a write-only sheet."""
    from openpyxl import Workbook

    from candidats.exports import HEADERS, inscription_rows

    rows = list(inscription_rows(_queryset("list")))
    start = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Inscriptions")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        size = out.tell()
    return {"rows": len(rows), "seconds": round(time.perf_counter() - start, 2), "bytes": size}


def _export(mode: str) -> dict:
    """What a worker does for a user's export: core.exports.run_export on a waiting Export."""
    from candidats.exports import INSCRIPTIONS
    from centres.models import User
    from core import exports
    from core.models import Export

    from . import dataset

    user = User.objects.get(email=dataset.STAFF if mode == "country" else dataset.RESPONSABLE_BIG)
    queryset = _queryset(mode)
    export = Export.objects.create(
        kind=INSCRIPTIONS.name,
        titre=INSCRIPTIONS.title,
        requested_by=user,
        requete=pickle.dumps(queryset.query),
        lignes_total=queryset.count(),
        nom_fichier=INSCRIPTIONS.filename(queryset),
        content_type=INSCRIPTIONS.content_type,
    )
    start = time.perf_counter()
    exports.run_export(export.pk)
    seconds = time.perf_counter() - start
    export.refresh_from_db()
    assert export.statut == Export.Statut.PRET, export.erreur
    result = {"rows": export.lignes_faites, "seconds": round(seconds, 2), "bytes": export.fichier.size}
    export.fichier.delete(save=False)
    export.delete()
    return result


def _run(mode: str) -> dict:
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    out = subprocess.run(
        [sys.executable, "-m", "bench.exports", mode], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(f"bench.exports {mode}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(rounds: int = 3) -> dict:
    """Floor and export in turns (a shared machine's load weighs on both), medians; then the country once."""
    import statistics

    floors, centres = [], []
    for _ in range(rounds):
        floors.append(_run("floor"))
        centres.append(_run("list"))
    floor = statistics.median(f["seconds"] for f in floors)
    centre = statistics.median(c["seconds"] for c in centres)
    country = _run("country")
    return {
        "list_50000": {
            "rows": centres[0]["rows"],
            "export_s": centre,
            "openpyxl_write_only_s": floor,
            "ratio": round(centre / floor, 2),
            "target": 1.5,
            "peak_mb": max(c["peak_mb"] for c in centres),
            "file_mb": round(centres[0]["bytes"] / 1e6, 1),
        },
        "country": {
            "rows": country["rows"],
            "export_s": country["seconds"],
            "rows_per_s": round(country["rows"] / country["seconds"]),
            "peak_mb": country["peak_mb"],
            "file_mb": round(country["bytes"] / 1e6, 1),
        },
    }


def main(mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    import django

    django.setup()
    result = _floor() if mode == "floor" else _export(mode)
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
