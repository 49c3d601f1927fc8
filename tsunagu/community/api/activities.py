"""The community side over the API: activities."""

from ninja import Router

router = Router()
