"""The section of the person page that tells the program office who may see the person and
why (``tsunagu.people.panels``, registered in ``GrantsConfig.ready()``)."""

from __future__ import annotations

from tsunagu.people.panels import AUDIT

from .selectors import person_access

#: Grants that ended shown on the person page (most recently ended first); the rest are on
#: the full history page.
ENDED_SHOWN = 5


def person_panel(user, person) -> dict:
    """For the office: the current grants and the latest ended ones; nothing for anyone
    else (the page then has no such section)."""
    access = person_access(user=user, person=person)
    if access is None:
        return {}
    ended = access.ended
    rows = access.current + ended[:ENDED_SHOWN]
    return {
        "person_access": {
            "rows": rows,
            "agencies_now": access.agencies_now,
            "ended_count": len(ended),
            "ended_hidden": max(len(ended) - ENDED_SHOWN, 0),
        },
        AUDIT: {"access_grants": [row.grant_id for row in rows]},
    }
