"""The matching step of a CSV import: the pairs of the file's rows with one another and with
the registered persons, and the fields on which two persons agree.

The rows are compared with all registered persons in a small register (up to
:data:`SMALL_POOL`), otherwise with those sharing a family name or its reading. From
:data:`TRAIN_FROM` records the Splink model is trained on them
(:func:`tsunagu.linkage.batch.link`); below that — or when training fails — the pairs are
scored with the stored weights of the real-time lookup (``lookup_model.json``), so the known
check and the import weigh alike. Pairs from :data:`REVIEW_LOW` on go to the review queue.
Nothing here writes.
"""

from __future__ import annotations

import logging

from django.db.models import Max, Q
from django.utils import timezone

from tsunagu.people.models import Person, Sex

from . import lookup
from .address import normalize_address
from .models import ImportRecord
from .normalize import name_keys, normalize_phone

logger = logging.getLogger(__name__)

#: Up to this many persons in the database, linkage compares against all of them.
SMALL_POOL = 20_000
#: Pairs from this probability go to the review queue.
REVIEW_LOW = 0.5
#: From this many records compared (rows and registered persons), the Splink model is
#: trained on them; below, the pairs are scored with the stored weights of the lookup.
#: Under a few thousand records a blocking rule of the expectation maximisation may find no
#: pair at all (Splink then refuses to train) and the u probabilities rest on too few random
#: pairs; the stored weights were estimated on 100,000 records (bench/linkage/README.md).
TRAIN_FROM = 20_000

_SEX_LINK = {Sex.MALE: "男", Sex.FEMALE: "女"}


def score_pairs(records: list[ImportRecord], pool: list[Person]) -> tuple[list[list], str]:
    """``([[ref, ref, probability], …], method)``: every pair with an imported row from
    :data:`REVIEW_LOW` on, refs ``r<row>`` and ``p<person pk>``.

    From :data:`TRAIN_FROM` records the Splink model is trained on them (``trained``);
    below, or when training fails (too few pairs in a blocking rule for the expectation
    maximisation), the pairs are scored with the stored weights of the real-time lookup
    (``stored``: ``lookup_model.json``), so the known check and the import weigh alike.
    """
    if len(records) + len(pool) >= TRAIN_FROM:
        try:
            return _pairs_trained(records, pool), "trained"
        except Exception:
            logger.warning(
                "CSV import: training failed; the stored weights are used", exc_info=True
            )
    return _pairs_stored(records, pool), "stored"


def _pairs_stored(records: list[ImportRecord], pool: list[Person]) -> list[list]:
    refs = [f"r{r.row_number}" for r in records] + [f"p{p.pk}" for p in pool]
    keys = [_row_keys(r) for r in records] + [lookup.keys_of_person(p) for p in pool]
    index: dict[tuple[str, str], list[int]] = {}
    for i, k in enumerate(keys):
        for name in ("nm", "kn", "nm_loose", "dob"):
            value = getattr(k, name)
            if value:
                index.setdefault((name, value), []).append(i)
    population = max(Person.objects.aggregate(top=Max("pk"))["top"] or 0, len(keys))
    today = timezone.localdate()
    caps = (
        ("nm", lookup.BLOCK_CAP),
        ("kn", lookup.BLOCK_CAP),
        ("nm_loose", lookup.BLOCK_CAP),
        ("dob", lookup.DOB_BLOCK_CAP),
    )
    pairs = []
    for i in range(len(records)):
        k = keys[i]
        near: set[int] = set()
        for name, cap in caps:
            value = getattr(k, name)
            if value:
                near.update(index[(name, value)][:cap])
        name_count = len(index.get(("nm", k.nm), ())) if k.nm else 0
        for j in sorted(near):
            if j == i or (j < len(records) and j < i):
                continue  # each pair of rows once
            c = lookup.score(k, keys[j], population=population, name_count=name_count, today=today)
            if c.probability >= REVIEW_LOW:
                pairs.append([refs[i], refs[j], c.probability])
    return pairs


def _pairs_trained(records: list[ImportRecord], pool: list[Person]) -> list[list]:
    from . import batch as linkage_batch  # Splink is needed only to train

    result = linkage_batch.link(
        _link_columns(records, pool),
        threshold=linkage_batch.DEFAULT_THRESHOLD,
        review_band=(REVIEW_LOW, 1.0),
        parallel=False,  # inside a web request: never fork the server process
    )
    found: dict[tuple[str, str], float] = {}

    def add(x: str, y: str, p: float) -> None:
        if x == y or (x[0] == "p" and y[0] == "p"):
            return
        key = (min(x, y), max(x, y))
        found[key] = max(found.get(key, 0.0), min(max(float(p), 0.0), 1.0))

    for pair in result.review_pairs:
        add(pair.record_id_l, pair.record_id_r, pair.match_probability)
    # pairs at or above the threshold are clustered: they go to the review queue as well
    clusters: dict[str, list] = {}
    for c in result.clusters:
        clusters.setdefault(c.cluster_id, []).append(c)
    for members in clusters.values():
        if len(members) < 2 or len(members) > 50:
            continue
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                p = min(x.match_probability or 0.0, y.match_probability or 0.0)
                add(x.record_id, y.record_id, max(p, result.threshold))
    # the same cap as the lookup: a pair on which some evidence disagrees is never certain
    keys = {f"r{r.row_number}": _row_keys(r) for r in records}
    keys |= {f"p{p.pk}": lookup.keys_of_person(p) for p in pool}
    today = timezone.localdate()
    return [
        [a, b, lookup.calibrated(p, lookup.pair_levels(keys[a], keys[b], today=today))]
        for (a, b), p in found.items()
    ]


def _row_keys(record: ImportRecord):
    return lookup.keys_of_probe(
        lookup.Probe(
            name=record.name,
            kana=record.kana,
            birth_date=record.dob,
            sex=record.sex or "",
            address=record.address,
            phones=(record.phone,) if record.phone else (),
        )
    )


def link_pool(records: list[ImportRecord]):
    """The registered persons the rows are compared with: all of them in a small register,
    otherwise those sharing a family name or its reading with a row."""
    persons = Person.objects.filter(is_archived=False)
    if persons.count() <= SMALL_POOL:
        return persons
    keys = [name_keys(r.name, r.kana) for r in records]
    families = {k.family for k in keys if k.family}
    readings = {k.kana_family for k in keys if k.kana_family}
    return persons.filter(Q(key_family__in=families) | Q(key_kana_family__in=readings))


def _link_columns(records: list[ImportRecord], persons) -> dict[str, list[str]]:
    """The rows (``r<row>``) and the persons (``p<pk>``) as input of the batch linkage."""
    columns: dict[str, list[str]] = {
        c: [] for c in ("source", "record_id", "name", "kana", "dob", "sex", "address", "phone")
    }

    def add(ref, name, kana, dob, sex, address, phone):
        columns["source"].append("import")
        columns["record_id"].append(ref)
        columns["name"].append(name)
        columns["kana"].append(kana)
        columns["dob"].append(dob.isoformat() if dob else "")
        columns["sex"].append(_SEX_LINK.get(sex, ""))
        columns["address"].append(address)
        columns["phone"].append(phone)

    for r in records:
        add(f"r{r.row_number}", r.name, r.kana, r.dob, r.sex, r.address, r.phone)
    for p in persons:
        add(
            f"p{p.pk}",
            p.name,
            p.name_kana,
            p.birth_date,
            p.sex,
            p.address,
            p.phone or p.mobile_phone,
        )
    return columns


def pair_reasons(a: Person, b: Person) -> list[str]:
    """The fields on which two persons agree (keys of the review screens' labels)."""
    reasons = []
    if a.key_name and a.key_name == b.key_name:
        reasons.append("name")
    elif a.key_family and a.key_family == b.key_family:
        reasons.append("family")
    if a.key_kana and a.key_kana == b.key_kana:
        reasons.append("kana")
    if a.birth_date and a.birth_date == b.birth_date:
        reasons.append("dob")
    if a.sex != Sex.UNKNOWN and a.sex == b.sex:
        reasons.append("sex")
    if a.address and normalize_address(a.address) == normalize_address(b.address):
        reasons.append("address")
    phones_a = {normalize_phone(x) for x in (a.phone, a.mobile_phone)} - {""}
    phones_b = {normalize_phone(x) for x in (b.phone, b.mobile_phone)} - {""}
    if phones_a & phones_b:
        reasons.append("phone")
    return reasons
