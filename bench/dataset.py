"""The national-scale dataset of `make bench`, generated inside PostgreSQL.

Every table is filled by one INSERT … SELECT over generate_series: the rows never travel through
Python, so the million enrolments build in about a minute on two cores. Identifiers are explicit
(so the generators can refer to each other by arithmetic) and the identity sequences are moved past
them at the end. The catalogue (products, épreuves, FDA prices, scales) is the demo's, loaded by the
demo_data command's own loaders.

Shape (SCALE = 1): 1,000 centres, 50,000 sessions, 1,000,000 enrolments (each with its épreuves),
100,000 requests, 40,000 conversations holding 200,000 messages. Centre 1 ("big") is the measured
centre of a large network member (5 % of everything, one session of exactly 300 candidates); centre 2
("small") holds about ten rows of each list, to compare query counts at 10 rows and at full scale.
"""

from __future__ import annotations

import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from centres.models import Centre, Membership, User
from centres.roles import Role

CENTRES = 1_000
SESSIONS = 50_000
DEMANDES = 100_000
CONVERSATIONS = 40_000
MESSAGES_PER_CONVERSATION = 5
DUE_SESSIONS = 10_000
BIG, SMALL = 1, 2  # centre ids
BIG_SESSION_SIZE = 300
PASSWORD = "bench-mot-de-passe-2026"
RESPONSABLE_BIG = "responsable@grand-centre.bench"
RESPONSABLE_SMALL = "responsable@petit-centre.bench"
STAFF = "agent@fda.bench"
MARKER = "BENCH-0001"  # code of centre 1: the dataset is complete when it exists

NOMS = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel "
    "Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Mercier Dupont Lambert Bonnet Francois "
    "Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller Henry Roussel Nicolas Perrin Benali Nguyen "
    "Diallo Traore Haddad Kowalski Silva Rossi Schmidt Tremblay"
).split()
PRENOMS = (
    "Marie Jean Pierre Sophie Nicolas Julie Karim Fatima Mohamed Amina Lucas Emma Louis Chloe Hugo Lea "
    "Arthur Ines Yanis Sarah Adam Lina Omar Yasmine Paul Camille Leo Manon Rayan Jade Ali Nour Ibrahim "
    "Aicha Gabriel Alice Mehdi Salma Victor Zoe"
).split()


def _array(words: list[str]) -> str:
    return "(ARRAY[" + ",".join(f"'{w}'" for w in words) + "])"


def is_built() -> bool:
    return Centre.objects.filter(code=MARKER).exists()


def big_session():
    """The big centre's session of exactly 300 candidates."""
    from sessions_app.models import Session

    return (
        Session.objects.filter(centre_id=BIG, nb_places__gte=BIG_SESSION_SIZE, numero__lte=7000000 + SESSIONS)
        .order_by("pk")
        .first()
    )


def counts() -> dict[str, int]:
    tables = {
        "centres": "centres_centre",
        "sessions": "sessions_app_session",
        "inscriptions": "candidats_inscription",
        "epreuves d'inscription": "candidats_inscriptionepreuve",
        "candidats": "candidats_candidat",
        "demandes": "demandes_demande",
        "conversations": "messagerie_conversation",
        "messages": "messagerie_message",
    }
    with connection.cursor() as cur:
        out = {}
        for label, table in tables.items():
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            out[label] = cur.fetchone()[0]
    return out


def _catalogue() -> None:
    from portail.management.commands.demo_data import Command

    loader = Command()
    loader.epreuves = loader.load_epreuves()
    loader.produits = loader.load_produits()
    loader.load_baremes()


def _people() -> None:
    """Logins for the harness: the responsable of the big and of the small centre, one FDA agent."""
    hashed = make_password(PASSWORD)
    for email, centre_id in ((RESPONSABLE_BIG, BIG), (RESPONSABLE_SMALL, SMALL)):
        user = User.objects.create_user(
            email=email, first_name="Responsable", last_name=f"Centre {centre_id}"
        )
        user.password = hashed
        user.save(update_fields=["password"])
        Membership.objects.create(user=user, centre_id=centre_id, role=Role.RESPONSABLE)
    staff = User.objects.create_superuser(email=STAFF, first_name="Agent", last_name="FDA")
    staff.password = hashed
    staff.save(update_fields=["password"])


# Each step: (label, SQL). %(name)s placeholders are filled from PARAMS below.
STEPS: list[tuple[str, str]] = [
    (
        "centres",
        """
        INSERT INTO centres_centre (id, code, nom, adresse, code_postal, ville, pays, telephone, email,
            site_web, description, consignes_convocation, attestation_avec_resultats, visibilite, actif,
            created_at, updated_at)
        SELECT i, 'BENCH-' || lpad(i::text, 4, '0'),
               CASE i WHEN 1 THEN 'Grand centre (mesuré)' WHEN 2 THEN 'Petit centre (10 lignes)'
                      ELSE 'Centre agréé n°' || i END,
               i || ' rue de la Paix', lpad((i * 97 %% 95000 + 1000)::text, 5, '0'), 'Ville ' || (i %% 300),
               'FR', '', 'centre' || i || '@bench.test', '', '', '', false,
               (ARRAY['masque','avec_sessions','sans_sessions'])[1 + i %% 3], true, now(), now()
        FROM generate_series(1, %(centres)s) AS i
        """,
    ),
    (
        "tarifs des centres",
        """
        INSERT INTO tarifs_tarif (montant, updated_at, centre_id, epreuve_id, produit_id)
        SELECT 120 + (c.id %% 7) * 5, now(), c.id, pe.epreuve_id, p.id
        FROM centres_centre c CROSS JOIN tarifs_produit p JOIN tarifs_produit_epreuves pe ON pe.produit_id = p.id
        WHERE p.modulaire
        UNION ALL
        SELECT 150 + (c.id %% 7) * 5, now(), c.id, NULL, p.id
        FROM centres_centre c CROSS JOIN tarifs_produit p WHERE NOT p.modulaire
        """,
    ),
    (
        "sessions",
        # Session i: centre 1 takes every 20th session (5 %), centre 2 the first ten, the others are
        # spread over centres 3..1000. Dates cover five years back and six months ahead; n_inscrits is
        # the number of enrolments the next step creates (10 or 30, average 20).
        """
        CREATE TEMP TABLE bench_session AS
        SELECT i AS id,
               CASE WHEN i <= 10 THEN %(small)s WHEN i %% 20 = 0 THEN %(big)s
                    ELSE 3 + (i * 7919) %% (%(centres)s - 2) END AS centre_id,
               (current_date - 1800 + ((i::bigint * 104729) %% 1980)::int)::date AS date,
               CASE WHEN i <= 10 THEN 1 WHEN i %% 2 = 0 THEN 10 ELSE 30 END AS n_inscrits
        FROM generate_series(1, %(sessions)s) AS i;
        UPDATE bench_session SET n_inscrits = %(big_size)s, date = current_date - 20
        WHERE id = (SELECT min(id) FROM bench_session WHERE centre_id = %(big)s AND id > 10);
        ALTER TABLE bench_session ADD PRIMARY KEY (id);
        INSERT INTO sessions_app_session (id, numero, date, heure, lieu, nb_places, afficher_en_ligne, statut,
            closes_at, created_at, centre_id, produit_id)
        SELECT s.id, 7000000 + s.id, s.date, time '09:00' + (s.id %% 4) * interval '2 hours',
               'Salle ' || (1 + s.id %% 12), greatest(s.n_inscrits, 20) + s.id %% 10, s.id %% 3 = 0,
               CASE WHEN ((s.date - 2)::timestamp AT TIME ZONE 'Europe/Paris') > now() THEN 'ouverte'
                    WHEN s.id %% 50 = 7 THEN 'annulee'
                    WHEN s.date < current_date - 60 THEN 'cloturee'
                    WHEN s.date < current_date - 30 THEN 'resultats'
                    ELSE 'close' END,
               (s.date - 2)::timestamp AT TIME ZONE 'Europe/Paris',
               (s.date - 40)::timestamp AT TIME ZONE 'Europe/Paris',
               s.centre_id, p.id
        FROM bench_session s
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM tarifs_produit) p
          ON p.k = s.id %% p.n
        """,
    ),
    (
        "sessions échues (clôture J-2 en retard)",
        # 10,000 sessions whose D-2 instant has passed but that are still open, as after an outage of
        # the beat: what the closure measurement works on.
        """
        UPDATE sessions_app_session SET statut = 'ouverte'
        WHERE id IN (SELECT id FROM sessions_app_session
                     WHERE closes_at <= now() AND statut <> 'annulee' AND centre_id <> %(small)s
                     ORDER BY (id * 2654435761) %% 1000003 LIMIT %(due)s)
        """,
    ),
    (
        "tarifs et historique des sessions",
        """
        INSERT INTO sessions_app_sessiontarif (montant, epreuve_id, session_id)
        SELECT 40 + s.id %% 5, pe.epreuve_id, s.id
        FROM sessions_app_session s JOIN tarifs_produit p ON p.id = s.produit_id
        JOIN tarifs_produit_epreuves pe ON pe.produit_id = p.id WHERE p.modulaire
        UNION ALL
        SELECT 150 + s.id %% 5, NULL, s.id
        FROM sessions_app_session s JOIN tarifs_produit p ON p.id = s.produit_id WHERE NOT p.modulaire;
        INSERT INTO sessions_app_sessionstatuschange (from_status, to_status, at, comment, session_id)
        SELECT 'planifiee', 'ouverte', s.created_at, 'Session créée et ouverte.', s.id FROM sessions_app_session s;
        INSERT INTO sessions_app_bondecommande (statut, montant_total, created_at, session_id)
        SELECT CASE WHEN s.statut = 'close' THEN 'non_signe' ELSE 'signe' END, 0, s.closes_at, s.id
        FROM sessions_app_session s WHERE s.statut NOT IN ('ouverte', 'planifiee', 'annulee')
        """,
    ),
    (
        "candidats et inscriptions",
        # One candidate per enrolment, numbered in session order; access codes are unique by
        # construction ('Z' + the enrolment number in hexadecimal). The folded names (nom_recherche,
        # prenom_recherche: core.text.fold) are lower(): the same for these ASCII names.
        f"""
        CREATE TEMP TABLE bench_inscription AS
        SELECT row_number() OVER (ORDER BY s.id, g) AS id, s.id AS session_id, s.centre_id, s.date
        FROM bench_session s CROSS JOIN LATERAL generate_series(1, s.n_inscrits) AS g;
        INSERT INTO candidats_candidat (id, nom, prenom, nom_recherche, prenom_recherche, date_naissance, genre, langue_maternelle, email,
            telephone, nationalite, motivation, numero_piece_identite, virtuel, created_at, updated_at, centre_id)
        SELECT b.id, {_array(NOMS)}[1 + (b.id * 31) %% {len(NOMS)}], {_array(PRENOMS)}[1 + (b.id * 17) %% {len(PRENOMS)}],
               lower({_array(NOMS)}[1 + (b.id * 31) %% {len(NOMS)}]),
               lower({_array(PRENOMS)}[1 + (b.id * 17) %% {len(PRENOMS)}]),
               date '1960-01-01' + ((b.id * 7) %% 16000)::int, (ARRAY['F','H'])[1 + b.id %% 2],
               (ARRAY['ara','eng','spa','por','fra','vie'])[1 + b.id %% 6], 'candidat' || b.id || '@exemple.test',
               '', (ARRAY['DZ','MA','TN','SN','CA','BR','VN'])[1 + b.id %% 7],
               (ARRAY['I','C','Q','A','R'])[1 + b.id %% 5], 'P' || b.id, false,
               (b.date - 30)::timestamp AT TIME ZONE 'Europe/Paris', now(), b.centre_id
        FROM bench_inscription b;
        INSERT INTO candidats_inscription (id, numero, code_acces, statut, source, virtuel, tiers_temps, fraude,
            prix_total, photo, signature, enregistrement_eo, keylogger, created_at, candidat_id, session_id)
        SELECT b.id, 2000000 + b.id,
               'Z' || substr(lpad(to_hex(b.id), 8, '0'), 1, 2) || '-' || substr(lpad(to_hex(b.id), 8, '0'), 3, 3)
                   || '-' || substr(lpad(to_hex(b.id), 8, '0'), 6, 3),
               CASE WHEN b.id %% 40 = 0 THEN 'annule' WHEN b.id %% 97 = 0 THEN 'reporte' ELSE 'inscrit' END,
               (ARRAY['sur_place','import','pre_inscription'])[1 + b.id %% 3], false, b.id %% 50 = 0, false,
               160, '', '', '', '', (b.date - 30 + (b.id %% 20)::int)::timestamp AT TIME ZONE 'Europe/Paris',
               b.id, b.session_id
        FROM bench_inscription b
        """,
    ),
    (
        "épreuves des inscriptions",
        """
        INSERT INTO candidats_inscriptionepreuve (prix, absent, dispense, epreuve_id, inscription_id)
        SELECT 40, i.id %% 30 = 0, false, pe.epreuve_id, i.id
        FROM candidats_inscription i JOIN sessions_app_session s ON s.id = i.session_id
        JOIN tarifs_produit_epreuves pe ON pe.produit_id = s.produit_id
        """,
    ),
    (
        "résultats de la session de 300",
        # The measured session of 300 has its results published: the results table, the absences
        # page and the attestations work on a full session.
        """
        UPDATE sessions_app_session SET statut = 'resultats'
        WHERE id = (SELECT min(id) FROM sessions_app_session WHERE centre_id = %(big)s AND nb_places >= %(big_size)s);
        INSERT INTO candidats_resultat (inscription_id, epreuve_id, score, score_max, niveau_cecrl, saisi_le)
        SELECT ie.inscription_id, ie.epreuve_id, 100 + (ie.id * 37) %% 599, 699,
               (ARRAY['A1','A2','B1','B2','C1','C2'])[1 + ie.id %% 6], now()
        FROM candidats_inscriptionepreuve ie JOIN candidats_inscription i ON i.id = ie.inscription_id
        WHERE i.session_id = (SELECT min(id) FROM sessions_app_session
                              WHERE centre_id = %(big)s AND nb_places >= %(big_size)s)
          AND NOT ie.absent
        """,
    ),
    (
        "demandes",
        # Requests on every tenth enrolment (the first ten of the small centre included).
        """
        INSERT INTO demandes_demande (id, numero, kind, statut, sous_type, description, created_at, decided_at,
            decision_comment, centre_id, inscription_id)
        SELECT d.k, d.k,
               (ARRAY['report','amenagement','dispense','fraude','recours'])[1 + d.k %% 5],
               CASE WHEN d.k %% 4 = 0 THEN 'en_cours' WHEN d.k %% 4 = 1 THEN 'refusee' ELSE 'validee' END,
               '', 'Demande du centre pour le candidat.', i.created_at + interval '2 days',
               CASE WHEN d.k %% 4 = 0 THEN NULL ELSE i.created_at + interval '5 days' END, '',
               s.centre_id, i.id
        FROM (SELECT row_number() OVER (ORDER BY i.id) AS k, i.id FROM candidats_inscription i
              WHERE i.id <= 10 OR i.id %% 10 = 0 ORDER BY i.id LIMIT %(demandes)s) d
        JOIN candidats_inscription i ON i.id = d.id JOIN sessions_app_session s ON s.id = i.session_id;
        INSERT INTO demandes_notification (message, url, created_at, centre_id, demande_id)
        SELECT 'La demande n°' || d.numero || ' a été traitée.', '', d.decided_at, d.centre_id, d.id
        FROM demandes_demande d WHERE d.decided_at IS NOT NULL
        """,
    ),
    (
        "conversations et messages",
        """
        INSERT INTO messagerie_conversation (id, titre, service, statut, created_at, last_message_at,
            last_centre_message_at, last_fda_message_at, centre_read_at, fda_read_at, centre_id)
        SELECT i, 'Question n°' || i, (ARRAY['clientele','pedagogique'])[1 + i %% 2],
               CASE WHEN i %% 3 = 0 THEN 'fermee' ELSE 'ouverte' END,
               now() - (i %% 1500) * interval '1 day', now() - (i %% 1500) * interval '1 day' + interval '4 hours',
               now() - (i %% 1500) * interval '1 day' + interval '3 hours',
               now() - (i %% 1500) * interval '1 day' + interval '4 hours',
               CASE WHEN i %% 7 = 0 THEN NULL ELSE now() END, now(),
               CASE WHEN i <= 10 THEN %(small)s WHEN i %% 20 = 0 THEN %(big)s
                    ELSE 3 + (i * 7919) %% (%(centres)s - 2) END
        FROM generate_series(1, %(conversations)s) AS i;
        INSERT INTO messagerie_message (from_fda, body, created_at, conversation_id)
        SELECT m %% 2 = 0, 'Bonjour, message ' || m || ' de la conversation ' || c.id || '.',
               c.created_at + m * interval '1 hour', c.id
        FROM messagerie_conversation c CROSS JOIN generate_series(1, %(per_conversation)s) AS m
        """,
    ),
    (
        "pré-inscriptions",
        """
        INSERT INTO candidats_preinscription (nom, prenom, genre, langue_maternelle, email, telephone, nationalite,
            motivation, numero_piece_identite, statut, motif_refus, created_at, centre_id)
        SELECT 'Nom' || i, 'Prénom', 'F', 'ara', 'pre' || i || '@exemple.test', '', 'DZ', 'I', '',
               CASE WHEN i %% 5 = 0 THEN 'a_traiter' ELSE 'transferee' END, '', now() - i * interval '1 hour',
               CASE WHEN i <= 10 THEN %(small)s WHEN i %% 20 = 0 THEN %(big)s
                    ELSE 3 + (i * 7919) %% (%(centres)s - 2) END
        FROM generate_series(1, 20000) AS i
        """,
    ),
]

SEQUENCES = {
    "session": "SELECT 7000000 + max(id) FROM sessions_app_session",
    "inscription": "SELECT 2000000 + max(id) FROM candidats_inscription",
    "demande": "SELECT max(numero) FROM demandes_demande",
}
IDENTITY_TABLES = [
    "centres_centre",
    "sessions_app_session",
    "candidats_candidat",
    "candidats_inscription",
    "demandes_demande",
    "messagerie_conversation",
]


def build(scale: float = 1.0, log=print) -> dict[str, float]:
    """Fill the (empty, migrated) bench database; returns the seconds each step took."""
    params = {
        "centres": max(int(CENTRES * scale), 20),
        "sessions": max(int(SESSIONS * scale), 200),
        "demandes": int(DEMANDES * scale),
        "conversations": max(int(CONVERSATIONS * scale), 20),
        "per_conversation": MESSAGES_PER_CONVERSATION,
        "due": int(DUE_SESSIONS * scale),
        "big": BIG,
        "small": SMALL,
        "big_size": BIG_SESSION_SIZE,
    }
    timings: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        start = time.perf_counter()
        _catalogue()
        timings["catalogue"] = time.perf_counter() - start
        for label, sql in STEPS:
            start = time.perf_counter()
            cur.execute(sql, params)
            timings[label] = time.perf_counter() - start
            log(f"  {label:<42} {timings[label]:6.1f} s")
        start = time.perf_counter()
        _people()
        for name, query in SEQUENCES.items():
            cur.execute(
                f"INSERT INTO portail_sequence (name, last_value) VALUES (%s, ({query})) "
                "ON CONFLICT (name) DO UPDATE SET last_value = EXCLUDED.last_value",
                [name],
            )
        for table in IDENTITY_TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        timings["comptes et séquences"] = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - start
    log(f"  {'vacuum analyze':<42} {timings['vacuum analyze']:6.1f} s")
    return timings
