"""The community side over the API: targets."""

from ninja import Router

router = Router()
