"""The cases app's ``/api/v1/`` router: the case, its assessment, plans, activity log and
monitoring, each from its own module."""

from ninja import Router

from tsunagu.cases.api import activity, assessment, case, monitoring, plan

router = Router()
router.add_router("/", case.router)
router.add_router("/", assessment.router)
router.add_router("/", plan.router)
router.add_router("/", activity.router)
router.add_router("/", monitoring.router)
