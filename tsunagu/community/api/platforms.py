"""The community side over the API: platforms."""

from ninja import Router

router = Router()
