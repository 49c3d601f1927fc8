"""The community side over the API: reports."""

from ninja import Router

router = Router()
