"""社会資源 over the API: one router, assembled from the directory (search, a resource and its
writes) and its exchange as HSDS 3.0.

``tsunagu.api_v1`` adds :data:`router`.
"""

from ninja import Router

from . import directory, exchange

router = Router(tags=["社会資源"])
# the exchange's fixed paths (``/resources/hsds.json``) come before ``/resources/{id}``
router.add_router("/", exchange.router)
router.add_router("/", directory.router)
