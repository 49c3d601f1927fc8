"""Who may read the statistics (rules predicates).

The statistics hold no person: every member of staff who works with persons reads the figures of
their own agency; only the municipal office reads the whole municipality's and any agency's.
"""

from __future__ import annotations

import rules

from tsunagu.accounts.acting import acting


@rules.predicate
def reads_statistics(user) -> bool:
    return acting(user).works_with_persons


@rules.predicate
def is_office(user) -> bool:
    return acting(user).is_office


rules.add_perm("reports.view", reads_statistics)
rules.add_perm("reports.view_municipality", is_office)
