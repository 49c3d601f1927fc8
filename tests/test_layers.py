"""Imports run one way (architecture.md): a lower app never imports a higher one.

The layers, lowest first. Modules that import no models (``PURE``: the name and address keys
of ``linkage``, the API plumbing every router uses) may be used from any layer; they import
only ``tsunagu.common`` and one another. The ``/api/v1/`` NinjaAPI that assembles every app's
router is a project-level module (``tsunagu/api_v1.py``, beside ``urls.py``), above them all.
A higher app that must react to a step of a lower one registers a named hook in its
``AppConfig.ready()`` (``people.hooks``, ``consultations.hooks``, ``cases.hooks``), and pages
are built from panels the apps register (``people.panels``, ``cases.panels``,
``dashboard.widgets``).

No upward import is allowed, not even inside a function (the AST is read whole).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tsunagu"

LAYERS = [
    "common",
    "accounts",
    "audit",
    "dashboard",
    "guide",
    "api",
    "resources",
    "people",
    "linkage",
    "consultations",
    "cases",
    "grants",
    "operations",
    "meetings",
    "outreach",
    "participation",
    "community",
    "reports",
    "demo",
]
RANK = {app: n for n, app in enumerate(LAYERS)}

# Model-free modules: usable from every layer.
PURE = {
    "tsunagu.linkage.keys",
    "tsunagu.linkage.normalize",
    "tsunagu.linkage.address",
    "tsunagu.linkage.variants",
    "tsunagu.linkage.surnames",
    "tsunagu.linkage.rules",
    # the API plumbing every router uses, the accounts and audit routers included
    "tsunagu.api.errors",
    "tsunagu.api.inputs",
    "tsunagu.api.pagination",
    "tsunagu.api.permissions",
    "tsunagu.api.schemas",
}

# The audit recorder: every app records its events through it (accounts too: users and
# memberships), and it imports no app, so it is usable from every layer like ``PURE``. The audit
# pages (views, forms, api, labels) are the ``audit`` layer and read accounts.
RECORDER = {
    "tsunagu.audit.services",
    "tsunagu.audit.models",
    "tsunagu.audit.context",
    "tsunagu.audit.db",
    "tsunagu.audit.checkpoint",
}


def _upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        parts = relative.parts
        if "tests" in parts or "migrations" in parts or len(parts) < 3:
            continue
        app = parts[1]
        if app not in RANK:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                words = module.split(".")
                if words[0] != "tsunagu" or len(words) < 2 or words[1] not in RANK:
                    continue
                if RANK[words[1]] > RANK[app] and module not in PURE | RECORDER:
                    found.add((relative.as_posix(), module))
    return found


def test_no_import_runs_up_the_layers():
    new = _upward_imports()
    assert not new, (
        "A lower app imports a higher one; register a hook in the higher app's "
        f"AppConfig.ready() instead: {sorted(new)}"
    )


def _imported(module: str) -> set[str]:
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    package = module.rsplit(".", 1)[0].split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.add(".".join([*base, *([node.module] if node.module else [])]))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_model_free_modules_import_only_common_and_one_another():
    wrong = {
        (module, imported)
        for module in PURE
        for imported in _imported(module)
        if imported.startswith("tsunagu.")
        and imported not in PURE
        and not imported.startswith("tsunagu.common.")
    }
    assert not wrong, f"A module usable from every layer imports an app: {sorted(wrong)}"


def test_the_audit_recorder_imports_no_app():
    wrong = {
        (module, imported)
        for module in RECORDER
        for imported in _imported(module)
        if imported.startswith("tsunagu.") and imported not in RECORDER
    }
    assert not wrong, f"The audit recorder is used by every layer; it imports: {sorted(wrong)}"


def test_the_hooks_are_registered_by_the_higher_apps():
    from tsunagu.cases import hooks as case_hooks
    from tsunagu.cases.services.case import case_open_from_referral
    from tsunagu.consultations import hooks as consultation_hooks
    from tsunagu.meetings.services import withdraw_conference_items

    assert withdraw_conference_items in case_hooks._meeting_consent_lost
    assert consultation_hooks._multi_agency_acceptor is case_open_from_referral


def test_a_multi_agency_referral_needs_its_registered_acceptor(monkeypatch):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from tsunagu.consultations import hooks

    monkeypatch.setattr(hooks, "_multi_agency_acceptor", None)
    with pytest.raises(ImproperlyConfigured):
        hooks.accept_multi_agency(by=None, referral=None)
    calls = []
    hooks.set_multi_agency_acceptor(lambda **kw: calls.append(kw))
    hooks.accept_multi_agency(by="u", referral="r", note="n")
    assert calls == [{"by": "u", "referral": "r", "note": "n"}]


def test_the_people_hooks_are_registered_by_linkage():
    from tsunagu.linkage.lookup import Probe, lookup
    from tsunagu.linkage.models import CandidateOrigin
    from tsunagu.linkage.services.review import candidate_add
    from tsunagu.people import hooks

    assert hooks._person_lookup is lookup
    assert hooks._probe is Probe
    queue = hooks._registration_pair_queue
    assert queue.func is candidate_add
    assert queue.keywords == {"probability": 0.5, "origin": CandidateOrigin.REGISTRATION}


def test_the_known_check_and_the_review_pair_need_their_registered_hooks(monkeypatch):
    import datetime

    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from tsunagu.people import hooks

    monkeypatch.setattr(hooks, "_person_lookup", None)
    monkeypatch.setattr(hooks, "_registration_pair_queue", None)
    with pytest.raises(ImproperlyConfigured):
        hooks.lookup_person(name="山田花子", today=datetime.date(2025, 4, 1))
    with pytest.raises(ImproperlyConfigured):
        hooks.queue_registration_pair(person_a=None, person_b=None, reasons=[])


def test_the_person_and_household_page_panels_are_registered_by_their_apps():
    from tsunagu.cases.selectors import household as cases
    from tsunagu.community import panels as community
    from tsunagu.consultations import panels as consultations
    from tsunagu.grants import panels as grants
    from tsunagu.outreach import panels as outreach
    from tsunagu.participation import panels as participation
    from tsunagu.people.panels import household_panels, person_panels
    from tsunagu.reports.ecomap import panels as ecomap

    assert person_panels() == [
        consultations.person_panel,
        outreach.person_panel,
        participation.person_panel,
        community.person_panel,
        grants.person_panel,
        ecomap.person_panel,
    ]
    assert household_panels() == [
        consultations.household_panel,
        cases.household_panel,
        ecomap.household_panel,
    ]


def test_the_case_page_panels_are_registered_by_their_apps():
    from tsunagu.cases.panels import case_panels
    from tsunagu.cases.selectors import activity, monitoring
    from tsunagu.cases.selectors import plan as plans
    from tsunagu.meetings.selectors import case_panel as meetings_panel
    from tsunagu.outreach import panels as outreach
    from tsunagu.participation import panels as participation

    assert case_panels(content_visible=True) == [
        plans.case_panel,
        activity.case_panel,
        monitoring.case_panel,
        meetings_panel,
        outreach.case_panel,
        participation.case_panel,
    ]
    assert case_panels(content_visible=False) == [activity.case_panel]


def test_the_dashboard_widgets_are_registered_by_their_apps_in_order():
    from tsunagu.cases import widgets as cases
    from tsunagu.cases.selectors import activity, monitoring
    from tsunagu.community import panels as community
    from tsunagu.consultations import widgets as consultations
    from tsunagu.dashboard import context as dashboard
    from tsunagu.dashboard.widgets import widgets
    from tsunagu.meetings import selectors as meetings
    from tsunagu.outreach import panels as outreach
    from tsunagu.participation import panels as participation

    assert widgets() == [
        dashboard.agency_overview,
        consultations.referral_panels,
        monitoring.dashboard_panel,
        outreach.dashboard_panel,
        participation.dashboard_panel,
        community.dashboard_panel,
        activity.dashboard_panel,
        meetings.dashboard_panel,
        cases.awaiting_decision,
        dashboard.audit_summary,
    ]
