"""参加支援 over the API: one router, assembled from the records (the worker's list, a record
whole, its goals, closure and keeping in touch afterwards) and the matches (proposing a
resource, its moves, follow-ups on both tracks) with what falls due, and the
不足する社会資源 a record waits on when no resource fits (gaps).

``tsunagu.api_v1`` adds :data:`router`.
"""

from ninja import Router

from . import gaps, matches, records

router = Router(tags=["参加支援"])
router.add_router("/", records.router)
router.add_router("/", matches.router)
router.add_router("/", gaps.router)
