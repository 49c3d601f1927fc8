"""The community side over the API: watches."""

from ninja import Router

router = Router()
