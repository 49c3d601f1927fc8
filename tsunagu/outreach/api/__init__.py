"""アウトリーチ over the API: one router, assembled from the records (caseload, a record,
corrections, the person), their steps (stage, consent, urgency, hand-over, closure), the
contacts and the plans.

``tsunagu.api_v1`` adds :data:`router`.
"""

from ninja import Router

from . import contact, plan, progress, record

router = Router(tags=["アウトリーチ"])
router.add_router("/", record.router)
router.add_router("/", progress.router)
router.add_router("/", contact.router)
router.add_router("/", plan.router)
