from ninja import Router

router = Router(tags=["多機関協働"])
