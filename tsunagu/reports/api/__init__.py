"""The statistics over the API (``/api/v1/reports/…``): one router, assembled from its topics.
``tsunagu.api_v1`` adds :data:`router`."""

from ninja import Router

from . import disclosure, ecomap, statistics

router = Router(tags=["統計・報告"])
router.add_router("/", statistics.router)
router.add_router("/", ecomap.router)
router.add_router("/", disclosure.router)
