"""The main pages with the queries sent as text (every query planned again) beside the
same pages with server-side parameters and prepared queries (settings ``TSUNAGU_DB_PREPARED``),
on the PostgreSQL database of ``DATABASE_URL`` that already holds a city (bench/pages.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_city \\
        .venv/bin/python bench/prepared.py [--repeat 15] [--rounds 2] [--as desk,coordinator]

For each persona and page the two ways take turns, ``--rounds`` times, on a fresh connection
each turn (the prepared way warms up first: a query is prepared the second time it is sent).
Each turn issues ``--repeat`` requests; the table gives, per way, the lowest of the turns'
medians of the elapsed server time, so that a busy machine's slow turns count less.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

WAYS = ("text", "prepared")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--as", dest="users", default="desk,coordinator,officer")
    args = parser.parse_args()

    from personas import start_django

    start_django("prepared")
    from django.db import connection
    from personas import acting_user, pages_of, session_of

    if connection.vendor != "postgresql":
        sys.exit("bench/prepared.py compares two ways of talking to PostgreSQL")
    options = connection.settings_dict.setdefault("OPTIONS", {})

    def use(way: str) -> None:
        options.pop("server_side_binding", None)
        options.pop("prepare_threshold", None)
        if way == "prepared":
            options.update({"server_side_binding": True, "prepare_threshold": 2})
        connection.close()

    def turn(client, url: str) -> float:
        for _ in range(6):  # warm: templates, and a query prepared on its second sending
            client.get(url)
        elapsed = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            elapsed.append((time.perf_counter() - started) * 1000)
        return statistics.median(elapsed)

    print("| persona | page | text p50 ms | prepared p50 ms | change |")
    print("|---|---|---|---|---|")
    for username in args.users.split(","):
        user = acting_user(username)
        client, _key = session_of(user)
        for page, url in pages_of(user).items():
            if not url:
                continue
            best = {way: float("inf") for way in WAYS}
            for _ in range(args.rounds):
                for way in WAYS:
                    use(way)
                    best[way] = min(best[way], turn(client, url))
            change = (best["prepared"] - best["text"]) / best["text"] * 100
            print(
                f"| {username} | {page} | {best['text']:.1f} | {best['prepared']:.1f} "
                f"| {change:+.0f}% |",
                flush=True,
            )


if __name__ == "__main__":
    main()
