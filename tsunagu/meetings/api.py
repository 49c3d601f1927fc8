from ninja import Router

router = Router(tags=["会議"])
