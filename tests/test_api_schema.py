"""Every ``/api/v1/`` operation answers what its OpenAPI schema says (schemathesis).

The schema is loaded from the application itself; each operation is called with a few
generated requests, valid and invalid, over a small demo city, as the municipal officer
(who sees most), once signed in with a browser session and once with an API token. Every
check schemathesis has is run, so a server error, an undocumented status code or content
type, or a body or header that breaks its schema fails the test. Writes are made too (it is
the test's database): a session's carry the CSRF cookie and header a browser sends.

Runs in ``make test`` in about 11,400 requests: the schema's examples and ``MAX_EXAMPLES``
generated requests (valid and invalid) per operation and way of signing in (the coverage
phase's boundary and invalid values once, with the session), derandomized
with a fixed seed, so a failure repeats. Each operation is one subtest (pytest's
``subtests``), so a run reports every operation that fails, not only the first.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings

from tsunagu.accounts.models import User
from tsunagu.accounts.services import api_token_issue
from tsunagu.wsgi import application as django_application

REQUESTS = [0]


def application(environ, start_response):
    """The WSGI application, counting the requests the run makes."""
    REQUESTS[0] += 1
    return django_application(environ, start_response)


#: generated requests per operation in the fuzzing phase (each phase adds its own few)
MAX_EXAMPLES = 5
SEED = 20260401

CONFIG = {
    "seed": SEED,
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "mode": "all",
        # the credentials are the officer's (below), never generated ones
        "with-security-parameters": False,
    },
    # the schema's examples, the coverage phase's boundary and invalid values of every
    # parameter, and generated requests (about 3.5 minutes); not stateful sequences (the
    # schema declares no links between operations)
    "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
    "checks": {
        # 422: the services refuse input the schema cannot express (a date before another,
        # an id of a record of another kind …) with the same answer as the schema's errors
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
        },
    },
}


@pytest.fixture
def city(db):
    call_command("seed_demo", households=3, verbosity=0)
    officer = User.objects.get(username="officer")
    return officer


@pytest.fixture
def wsgi_calls():
    """Requests to the WSGI application share the test's transaction: the connection is
    not closed between them (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema(auth_class: type, *, coverage: bool = True):
    phases = {**CONFIG["phases"], "coverage": {"enabled": coverage}}
    config = schemathesis.config.SchemathesisConfig.from_dict({**CONFIG, "phases": phases})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)
    schema.auth.auth(refresh_interval=None)(auth_class)
    return schema


def signed_in_browser(user: User) -> type:
    """A browser signed in as ``user``: the session cookie, and the CSRF cookie and header
    a write needs."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    csrf = _get_new_csrf_string()

    class Browser:
        def get(self, case, ctx):
            return session

        def set(self, case, data, ctx):
            case.cookies = {**(case.cookies or {}), "sessionid": data, "csrftoken": csrf}
            case.headers = {**(case.headers or {}), "X-CSRFToken": csrf}

    return Browser


def api_token(user: User) -> type:
    """Another system, with an API token issued to ``user``'s membership."""
    _, raw = api_token_issue(membership=user.active_memberships().first(), name="連携", by=None)

    class Token:
        def get(self, case, ctx):
            return raw

        def set(self, case, data, ctx):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return Token


def _run(schema, subtests, auth: str) -> int:
    """Each operation's generated requests, one subtest per operation; how many ran.

    ``schemathesis.pytest.from_fixture`` does the same, but renames pytest's nodes in a way
    pytest 9.2 no longer allows; its own test builder is used here directly."""
    from schemathesis.core.failures import FailureGroup, as_reported_failure
    from schemathesis.pytest.lazy import get_all_tests

    def check(case):
        case.call_and_validate()

    hypothesis_settings = settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    ran = 0
    for result in get_all_tests(
        schema=schema, test_func=check, settings=hypothesis_settings, given_kwargs={}
    ):
        operation, test = result.ok()
        with subtests.test(msg=f"{operation.label} ({auth})"):
            try:
                test()
            except FailureGroup as exc:
                raise as_reported_failure(exc) from None
        ran += 1
    return ran


def test_api_answers_as_its_schema_says(city, wsgi_calls, subtests):
    """Signed in with a browser session: every phase, the coverage phase's boundary and
    invalid values of every parameter included."""
    assert _run(_schema(signed_in_browser(city)), subtests, "session") > 150
    assert REQUESTS[0] > 10_000  # 10,435 on the demo city: the coverage phase ran


def test_api_answers_as_its_schema_says_to_a_token(city, wsgi_calls, subtests):
    """With an API token: the schema's examples and the generated requests. The coverage
    phase's 10,000 requests are the session's above; they test the operations, which are the
    same whichever way the caller signed in (run twice, they took a third of the suite's
    time)."""
    before = REQUESTS[0]
    assert _run(_schema(api_token(city), coverage=False), subtests, "token") > 150
    assert REQUESTS[0] - before > 500  # 999 on the demo city
