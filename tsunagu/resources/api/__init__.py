"""社会資源 over the API: one router, assembled from the directory (search, a resource and its
writes), its exchange as HSDS 3.0, and the 不足する社会資源 register.

``tsunagu.api_v1`` adds :data:`router`.
"""

from ninja import Router

from . import directory, exchange, gaps

router = Router(tags=["社会資源"])
# the exchange's fixed paths (``/resources/hsds.json``) come before ``/resources/{id}``
router.add_router("/", exchange.router)
router.add_router("/", gaps.router)  # ``/resources/gaps`` before ``/resources/{id}``
router.add_router("/", directory.router)
