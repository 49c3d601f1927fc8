"""地域づくり and 見守り over the API (``/api/v1/community/…``): one router, assembled from its
topics. ``tsunagu.api_v1`` adds :data:`router`."""

from ninja import Router

from . import activities, platforms, reports, targets, watches

router = Router(tags=["地域づくり・見守り"])
for _topic in (activities, platforms, targets, watches, reports):
    router.add_router("/", _topic.router)
