"""Every record that gives or ends a basis of access touches the grants of its subjects when
it is saved or deleted, whoever writes it (a service, the admin site, a test's arrangement).

A change of a record's subject (a consultation moved to another person) touches the subject
it had as well: the values before the save are read in ``pre_save``. A deletion touches the
subjects the row names in the database (read in ``pre_delete``) besides those of the instance,
which may have been read before a bulk move (a merge) changed them. Writes that bypass
``save()`` (``QuerySet.update``, ``bulk_create``) call ``tsunagu.common.touches.touch``
themselves, as the person merge does.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from tsunagu.cases.models import Case, CaseTeamMember, Consent
from tsunagu.common.touches import touch
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.people.models import Household, HouseholdMember, Person

# model -> {field: subject kind}: the fields whose values name the subjects it touches
SUBJECT_FIELDS = {
    Person: {"id": "persons"},
    Household: {"id": "households"},
    HouseholdMember: {"person_id": "persons", "household_id": "households"},
    Consultation: {"person_id": "persons", "household_id": "households"},
    Referral: {"person_id": "persons", "household_id": "households"},
    Case: {"id": "cases"},
    CaseTeamMember: {"case_id": "cases"},
    Consent: {"person_id": "persons", "case_id": "cases"},
}


def _subjects(model, values: dict) -> dict[str, list]:
    found: dict[str, list] = {"persons": [], "households": [], "cases": []}
    for name, kind in SUBJECT_FIELDS[model].items():
        found[kind].append(values.get(name))
    return found


def _remember(sender, instance, raw=False, **kwargs) -> None:
    fields = [f for f in SUBJECT_FIELDS[sender] if f != "id"]
    instance._grant_subjects_before = None
    if fields and instance.pk is not None and not instance._state.adding:
        instance._grant_subjects_before = (
            sender._base_manager.filter(pk=instance.pk).values(*fields).first()
        )


def _changed(sender, instance, **kwargs) -> None:
    now = _subjects(sender, {name: getattr(instance, name) for name in SUBJECT_FIELDS[sender]})
    before = getattr(instance, "_grant_subjects_before", None)
    if before:
        for kind, ids in _subjects(sender, before).items():
            now[kind].extend(ids)
    touch(**now)


def _scope_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        touch(persons=[instance.person_id], cases=[instance.case_id])
    elif pk_set:
        rows = Consent.objects.filter(pk__in=pk_set).values_list("person_id", "case_id")
        touch(persons=[p for p, _c in rows], cases=[c for _p, c in rows])


def connect() -> None:
    for model in SUBJECT_FIELDS:
        uid = f"grants.{model._meta.label}"
        _connect(model, uid)
    m2m_changed.connect(
        _scope_changed, sender=Consent.scope_agencies.through, dispatch_uid="grants.consent_scope"
    )


def watch(model, fields: dict[str, str]) -> None:
    """A record of a program app above (an outreach record naming its person) gives a basis
    too: ``fields`` maps its fields to the subject kind they name, as ``SUBJECT_FIELDS``. The
    app calls this once, in its ``AppConfig.ready()``."""
    SUBJECT_FIELDS[model] = fields
    _connect(model, f"grants.{model._meta.label}")


def _connect(model, uid: str) -> None:
    pre_save.connect(_remember, sender=model, dispatch_uid=f"{uid}.pre_save")
    post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.post_save")
    pre_delete.connect(_remember, sender=model, dispatch_uid=f"{uid}.pre_delete")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.post_delete")
