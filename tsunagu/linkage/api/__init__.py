"""名寄せ over the API: one router, assembled from the review and the CSV import routers.

``tsunagu.api_v1`` adds :data:`router`; the routes live in :mod:`.review` (pairs, merges,
undo) and :mod:`.imports` (CSV import).
"""

from ninja import Router

from . import imports, review

router = Router(tags=["名寄せ"])
router.add_router("", review.router)
router.add_router("", imports.router)
