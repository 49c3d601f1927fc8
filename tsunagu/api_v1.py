"""The ``/api/v1/`` NinjaAPI, assembled at the project level from every app's router.

The plumbing every router uses (authentication, the error answers, pagination, the shared
schemas, ``Idempotency-Key``) lives in the low ``tsunagu.api`` package, which imports no
domain app; only this module, beside ``urls.py``, knows them all.
"""

from tsunagu.accounts.api import router as accounts_router
from tsunagu.api import errors, idempotency, pagination
from tsunagu.api.auth import MembershipSessionAuth, TokenAuth
from tsunagu.api.openapi import DocumentedAPI
from tsunagu.audit.api import router as audit_router
from tsunagu.cases.api import router as cases_router
from tsunagu.common.api import router as common_router
from tsunagu.community.api import router as community_router
from tsunagu.consultations.api import router as consultations_router
from tsunagu.grants.api import router as grants_router
from tsunagu.linkage.api import router as linkage_router
from tsunagu.meetings.api import router as meetings_router
from tsunagu.meetings.summary_api import router as meeting_sheet_router
from tsunagu.outreach.api import router as outreach_router
from tsunagu.participation.api import router as participation_router
from tsunagu.people.api import router as people_router
from tsunagu.reports.api import router as reports_router
from tsunagu.resources.api import router as resources_router

# the OpenAPI schema documents the shared error answers of every operation (tsunagu.api.openapi)
api = DocumentedAPI(
    title="tsunagu API",
    version="1",
    description="重層的支援体制整備事業システム tsunagu の連携用API。"
    "ブラウザのログインセッション、または発行済みのAPIトークンで認証します。"
    + idempotency.DESCRIPTION,
    auth=[TokenAuth(), MembershipSessionAuth()],  # a bearer token first: no CSRF cookie
    urls_namespace="api",
)

# 401, 403, 404, 409 and 422 answered the same way by every operation (tsunagu.api.errors)
errors.install(api)
# every paged list refuses a page number out of range with 422, whatever its pagination class
api.add_decorator(pagination.bounded_pages, mode="operation")

# Idempotency-Key on every POST
api.add_decorator(idempotency.idempotent, mode="view")

api.add_router("/", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/", common_router)
api.add_router("/", people_router)
api.add_router("/", consultations_router)
api.add_router("/", cases_router)
api.add_router("/", grants_router)
api.add_router("/", meetings_router)
api.add_router("/", meeting_sheet_router)
api.add_router("/", linkage_router)
api.add_router("/", outreach_router)
api.add_router("/", resources_router)
api.add_router("/", participation_router)
api.add_router("/", community_router)
api.add_router("/reports", reports_router)
