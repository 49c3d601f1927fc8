"""Calibration of the displayed match probabilities (高 / 中 / 低) on a synthetic population.

::

    .venv/bin/python bench/linkage/calibrate.py --records 100000 --probes 20000

Generates the population of ``generate.py`` (ground truth included) and asks, for
``--probes`` sampled records, who else among all the records may be the same person, the
way the real-time lookup (:func:`tsunagu.linkage.lookup.lookup`) does: the same blocking keys
(name, reading, loosely folded name, date of birth, with the same caps), each candidate
scored with :func:`tsunagu.linkage.lookup.score` (the stored model, ``lookup_model.json``;
also what a small CSV import uses). Every pair the screens would show (probability ≥ 1 %) is
put in its band and checked against the truth: of the pairs shown 高, how many are one
person? Of 中? Of 低? The same for the pairs where some evidence disagrees (a date of birth,
a name, a sex or an address that differs), which must never be shown as a certainty.

With ``--batch`` the Splink model trained on the population (:func:`tsunagu.linkage.batch.link`,
what a large import uses) is measured too: its review pairs (1 % ≤ p < 99 %) by band, and
the pairs of its clusters (≥ 99 %) as 高.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings.local")

BANDS = ("高", "中", "低")


def _keys(rows):
    from tsunagu.linkage.batch import _dob_key, _sex_key
    from tsunagu.linkage.lookup import Probe, keys_of_probe

    sexes = {"m": "male", "f": "female"}
    keys = []
    for row in rows:
        dob = _dob_key(row[4])
        keys.append(
            keys_of_probe(
                Probe(
                    name=row[2],
                    kana=row[3],
                    birth_date=datetime.date(int(dob[:4]), int(dob[4:6]), int(dob[6:]))
                    if dob
                    else None,
                    sex=sexes.get(_sex_key(row[5]) or "", ""),
                    address=row[6],
                    phones=(row[7],) if row[7] else (),
                )
            )
        )
    return keys


def _table(title: str, counts: dict[str, Counter]) -> str:
    lines = [
        f"{title}",
        "",
        "| band | pairs shown | same person | share same |",
        "|---|---|---|---|",
    ]
    for band in BANDS:
        c = counts.get(band, Counter())
        n, same = c["pairs"], c["same"]
        share = f"{same / n:.4f}" if n else "–"
        lines.append(f"| {band} | {n:,} | {same:,} | {share} |")
    return "\n".join(lines)


def measure_lookup(rows, truth, probes: int, seed: int) -> str:
    from tsunagu.linkage import lookup as L

    person = {(t[0], t[1]): t[2] for t in truth}
    ids = [person[(r[0], r[1])] for r in rows]
    keys = _keys(rows)
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for field in ("nm", "kn", "nm_loose", "dob"):
            value = getattr(k, field)
            if value:
                index[(field, value)].append(i)
    population = len(rows)
    today = datetime.date(2026, 12, 1)
    rng = random.Random(seed)
    sample = rng.sample(range(len(rows)), min(probes, len(rows)))
    overall: dict[str, Counter] = defaultdict(Counter)
    disagree: dict[str, Counter] = defaultdict(Counter)
    agree: dict[str, Counter] = defaultdict(Counter)
    shown_100 = shown_over_cap = 0
    for i in sample:
        k = keys[i]
        found: dict[int, None] = {}
        name_count = 0
        blocks = [("nm", k.nm, L.BLOCK_CAP), ("kn", k.kn, L.BLOCK_CAP)]
        if k.nm_loose and k.nm_loose != k.nm:
            blocks.append(("nm_loose", k.nm_loose, L.BLOCK_CAP))
        blocks.append(("dob", k.dob, L.DOB_BLOCK_CAP))
        for field, value, cap in blocks:
            if not value:
                continue
            hits = [j for j in index[(field, value)] if j != i][:cap]
            if field == "nm":
                name_count = len(hits) + 1  # the register includes the probe's own record
            found.update(dict.fromkeys(hits))
        for j in found:
            c = L.score(k, keys[j], population=population, name_count=name_count, today=today)
            if c.probability < L.MIN_PROBABILITY:
                continue
            same = ids[i] == ids[j]
            target = disagree if L.disagreeing(c.levels) else agree
            for counts in (overall, target):
                counts[c.band]["pairs"] += 1
                counts[c.band]["same"] += same
            shown = L.display_percent(c.probability)
            shown_100 += shown == "100.0"
            shown_over_cap += bool(L.disagreeing(c.levels)) and float(shown) > 99.0
    return "\n\n".join(
        [
            _table(f"lookup / small import, all pairs shown ({len(sample):,} probes)", overall),
            _table("… of which some evidence disagrees", disagree),
            _table("… of which no evidence disagrees", agree),
            f"pairs displayed as 100.0 %: {shown_100:,}; pairs on which some evidence"
            f" disagrees displayed above 99.0 %: {shown_over_cap:,}",
        ]
    )


def measure_batch(rows, truth) -> str:
    from tsunagu.linkage.batch import link, records_from_rows

    person = {(t[0], t[1]): t[2] for t in truth}
    result = link(records_from_rows(rows), review_band=(0.01, 0.99))
    counts: dict[str, Counter] = defaultdict(Counter)
    for pair in result.review_pairs:
        band = "中" if pair.match_probability >= 0.5 else "低"
        counts[band]["pairs"] += 1
        counts[band]["same"] += (
            person[(pair.source_l, pair.record_id_l)] == person[(pair.source_r, pair.record_id_r)]
        )
    members: dict[str, list] = defaultdict(list)
    for c in result.clusters:
        members[c.cluster_id].append(person[(c.source, c.record_id)])
    for ids in members.values():
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                counts["高"]["pairs"] += 1
                counts["高"]["same"] += ids[a] == ids[b]
    return _table(
        "batch (Splink trained on the population): review pairs and cluster pairs", counts
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--batch", action="store_true", help="also measure the trained model")
    args = parser.parse_args(argv)
    if args.records > 100_000:
        parser.error("at most 100,000 records (a shared machine)")

    import django

    django.setup()
    from generate import generate

    started = time.perf_counter()
    rows, truth = generate(args.records, seed=args.seed)
    print(f"population: {len(rows):,} records, {len({t[2] for t in truth}):,} persons")
    print(measure_lookup(rows, truth, args.probes, args.seed))
    if args.batch:
        print()
        print(measure_batch(rows, truth))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
