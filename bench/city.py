"""A city at scale for the page benchmarks: the demo city (seed_demo) plus bulk rows.

On top of the demo agencies, personas and stories, ``grow_city(persons=N)`` adds, with
``bulk_create`` in chunks (no per-row services):

* N persons (search keys filled as ``Person.refresh_search_keys`` fills them), in
  ≈ 0.4 N households (every person a current member);
* ≈ 2 N consultations, each at the agency that registered the person;
* ≈ 0.1 N cases coordinated by the demo's 多機関協働 agency (coordinator ``coordinator``),
  each opened from a multi-agency referral, with a team of the referring agency and two
  others, the principal's current consent naming the team, a first plan and five
  progress records; ≈ 0.1 N further referrals between agencies (a third still waiting);
* one meeting for every 20 cases (convened by the coordinator's agency, the coordinator a
  member, the ``desk`` persona a member of every fifth), an agenda item per case about its
  plan. About half the cases are being supported (支援中 or モニタリング): their meeting was
  held, agreed the plan, and the plan was confirmed that day. The others are in assessment
  or planning with a draft plan, their meeting held without a decision yet or still to come;
* N audit events continuing the hash chain, each linked to its person.

Every generated row is cloned from a row the demo made (so the fields the app expects are
filled) with its people, agencies and dates replaced. Agencies are drawn from the demo's
agencies except the program office, the coordinator's agency and ``UNRELATED_AGENCY``
(hoken_kita), whose persona therefore sees only the demo's own stories.
"""

from __future__ import annotations

import datetime
import random
import time
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

UNRELATED_AGENCY = "hoken_kita"
CHUNK = 5000


def _clone(template, **values):
    obj = template.__class__()
    for field in template._meta.concrete_fields:
        if field.primary_key:
            continue
        setattr(obj, field.attname, getattr(template, field.attname))
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


class Writer:
    """bulk_create in chunks, counting rows and printing progress."""

    def __init__(self):
        self.rows = 0
        self.started = time.perf_counter()

    def write(self, model, objs, label=None):
        created = []
        for start in range(0, len(objs), CHUNK):
            created += model.objects.bulk_create(objs[start : start + CHUNK])
        self.rows += len(objs)
        elapsed = time.perf_counter() - self.started
        print(
            f"  {label or model.__name__:<24} {len(objs):>9,} rows  "
            f"(total {self.rows:,} in {elapsed:.0f} s)",
            flush=True,
        )
        return created


def _ids_after(model, last_id):
    return list(model.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True))


def grow_city(*, persons: int, seed: int = 13) -> dict:
    from tsunagu.accounts.models import Agency, Membership, Role, User
    from tsunagu.audit.models import AuditEvent, AuditPersonLink
    from tsunagu.audit.services import audit_seal, compute_hash
    from tsunagu.cases.models import Activity, Case, CaseTeamMember, Consent, SupportPlan
    from tsunagu.consultations.models import Consultation, Referral
    from tsunagu.demo.names import pick_family_name, pick_given_name
    from tsunagu.demo.services import seed_demo
    from tsunagu.grants.maintain import rebuild as rebuild_grants
    from tsunagu.meetings.models import AgendaItem, Meeting, MeetingMember
    from tsunagu.people.models import Household, HouseholdMember, Person

    rng = random.Random(seed)
    t0 = time.perf_counter()
    print("seed_demo …", flush=True)
    seed_demo()
    print(f"  demo city in {time.perf_counter() - t0:.0f} s", flush=True)
    w = Writer()

    agencies = {a.code: a for a in Agency.objects.all()}
    users = {u.username: u for u in User.objects.all()}
    coordinator = users["coordinator"]
    marugoto = agencies["marugoto"]
    excluded = {"juso_suishin", "marugoto", UNRELATED_AGENCY}
    # one user per agency to record rows (the demo's persona if any, else a member)
    recorder = {}
    for m in Membership.objects.select_related("user").order_by("id"):
        recorder.setdefault(m.agency_id, m.user_id)
    # agencies without a demo user record their rows under the program office's officer
    for a in agencies.values():
        recorder.setdefault(a.pk, users["officer"].pk)
    pool = [a for code, a in agencies.items() if code not in excluded]
    # the demo personas' agencies get a larger share of the city, as busy desks do
    persona_codes = {
        m.agency.code
        for m in Membership.objects.select_related("agency").filter(
            user__username__in=["desk", "housing", "hikikomori", "shuro"]
        )
    }
    weights = [3 if a.code in persona_codes else 1 for a in pool]

    def agency():
        return rng.choices(pool, weights)[0]

    today = timezone.localdate()

    def day(back=720):
        return today - datetime.timedelta(days=rng.randrange(back))

    # --- persons and households ----------------------------------------------------------
    last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    person_agency = []
    objs = []
    for _ in range(persons):
        sex = rng.choice(["male", "female"])
        family, given = pick_family_name(rng), pick_given_name(rng, sex)
        a = agency()
        p = Person(
            name=f"{family.kanji} {given.kanji}",
            name_kana=f"{family.kana} {given.kana}",
            sex=sex,
            birth_date=datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(33000)),
            address=f"岐阜市{rng.choice('東西南北中')}町{rng.randrange(1, 30)}-{rng.randrange(40)}",
            registered_by_agency=a,
        )
        p.refresh_search_keys()
        objs.append(p)
        person_agency.append(a)
    w.write(Person, objs)
    person_ids = _ids_after(Person, last_person)
    del objs

    last_household = Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    households = []
    spans = []  # (household index, first person index, end)
    i = 0
    while i < len(person_ids):
        size = min(rng.choice([1, 2, 2, 3, 3, 4]), len(person_ids) - i)
        spans.append((i, i + size))
        households.append(
            Household(label=f"世帯{len(households) + 1}", registered_by_agency=person_agency[i])
        )
        i += size
    w.write(Household, households)
    household_ids = _ids_after(Household, last_household)
    person_household = [0] * len(person_ids)
    members = []
    for h, (start, end) in enumerate(spans):
        for k in range(start, end):
            person_household[k] = household_ids[h]
            members.append(
                HouseholdMember(
                    household_id=household_ids[h],
                    person_id=person_ids[k],
                    relation="head" if k == start else rng.choice(["spouse", "child"]),
                    start_date=datetime.date(2020, 4, 1),
                )
            )
    w.write(HouseholdMember, members)
    del members, households

    # --- consultations ---------------------------------------------------------------------
    t_consult = Consultation.objects.exclude(person=None).order_by("pk").first()
    last_consult = Consultation.objects.order_by("-pk").values_list("pk", flat=True).first()
    consult_person = []
    objs = []
    for _ in range(2 * len(person_ids)):
        k = rng.randrange(len(person_ids))
        # most consultations are at the registering agency; some at another desk
        a = person_agency[k] if rng.random() < 0.8 else agency()
        objs.append(
            _clone(
                t_consult,
                agency_id=a.pk,
                recorded_by_id=recorder[a.pk],
                person_id=person_ids[k],
                household_id=person_household[k],
                received_on=day(),
                consent_to_share=rng.random() < 0.7,
            )
        )
        consult_person.append((k, a))
    w.write(Consultation, objs)
    consult_ids = _ids_after(Consultation, last_consult)
    del objs

    # --- referrals: one per case (to the coordinator's agency) and between agencies ----------
    t_ref = Referral.objects.order_by("pk").first()
    last_ref = Referral.objects.order_by("-pk").values_list("pk", flat=True).first()
    n_cases = max(1, len(person_ids) // 10)
    case_consults = rng.sample(range(len(consult_ids)), n_cases)
    objs = []
    for c in case_consults:
        k, a = consult_person[c]
        sent = timezone.now() - datetime.timedelta(days=rng.randrange(30, 700))
        objs.append(
            _clone(
                t_ref,
                kind="multi_agency",
                consultation_id=consult_ids[c],
                person_id=person_ids[k],
                household_id=person_household[k],
                from_agency_id=a.pk,
                to_agency_id=marugoto.pk,
                sent_by_id=recorder[a.pk],
                status="accepted",
                sent_at=sent,
                responded_at=sent + datetime.timedelta(days=2),
                previous_id=None,
                return_reason="",
                completed_at=None,
                outcome="",
            )
        )
    for _ in range(n_cases):
        c = rng.randrange(len(consult_ids))
        k, a = consult_person[c]
        to = agency()
        while to.pk == a.pk:
            to = agency()
        waiting = rng.random() < 0.33
        sent = timezone.now() - datetime.timedelta(days=rng.randrange(1, 700))
        objs.append(
            _clone(
                t_ref,
                kind="agency",
                consultation_id=consult_ids[c],
                person_id=person_ids[k],
                household_id=person_household[k],
                from_agency_id=a.pk,
                to_agency_id=to.pk,
                sent_by_id=recorder[a.pk],
                status="sent" if waiting else "completed",
                sent_at=sent,
                responded_at=None if waiting else sent + datetime.timedelta(days=1),
                completed_at=None if waiting else sent + datetime.timedelta(days=20),
                outcome="" if waiting else t_ref.outcome or "",
                previous_id=None,
                return_reason="",
            )
        )
    w.write(Referral, objs)
    ref_ids = _ids_after(Referral, last_ref)
    del objs

    # --- cases, teams, consents, plans, activities ----------------------------------------
    # each case's plan is discussed at meeting n // 20; the meetings' days are drawn first so
    # a case is supported only when its meeting has been held and agreed its plan
    n_meetings = max(1, len(case_consults) // 20)
    meeting_starts = [
        timezone.now() - datetime.timedelta(days=rng.randrange(-60, 700)) for _ in range(n_meetings)
    ]

    def meeting_of(n):
        return n // 20 % n_meetings

    supported = [
        meeting_starts[meeting_of(n)] < timezone.now() and rng.random() < 0.6
        for n in range(len(case_consults))
    ]
    t_case = Case.objects.order_by("pk").first()
    last_case = Case.objects.order_by("-pk").values_list("pk", flat=True).first()
    objs = []
    case_meta = []
    for n, c in enumerate(case_consults):
        k, a = consult_person[c]
        objs.append(
            _clone(
                t_case,
                person_id=person_ids[k],
                household_id=person_household[k],
                referral_id=ref_ids[n],
                referring_agency_id=a.pk,
                coordinating_agency_id=marugoto.pk,
                coordinator_id=coordinator.pk,
                status=rng.choice(
                    ["active", "monitoring"] if supported[n] else ["assessment", "planning"]
                ),
                opened_on=min(day(), meeting_starts[meeting_of(n)].date()),
                closed_on=None,
                lead_agency_after_closure_id=None,
            )
        )
        case_meta.append((k, a))
    w.write(Case, objs)
    case_ids = _ids_after(Case, last_case)
    del objs

    t_team = CaseTeamMember.objects.order_by("pk").first()
    t_consent = Consent.objects.filter(is_withdrawal=False).order_by("pk").first()
    team, consents, teams_of = [], [], []
    for cid, (k, a) in zip(case_ids, case_meta, strict=True):
        chosen = {a.pk, marugoto.pk}
        while len(chosen) < 4:
            chosen.add(agency().pk)
        teams_of.append(chosen)
        for ag in chosen:
            team.append(
                _clone(
                    t_team, case_id=cid, agency_id=ag, joined_on=day(), left_on=None, left_reason=""
                )
            )
        consents.append(
            _clone(
                t_consent,
                case_id=cid,
                version=1,
                person_id=person_ids[k],
                is_current=True,
                is_withdrawal=False,
                given_on=day(),
                recorded_by_id=coordinator.pk,
            )
        )
    w.write(CaseTeamMember, team)
    last_consent = Consent.objects.order_by("-pk").values_list("pk", flat=True).first()
    w.write(Consent, consents)
    consent_ids = _ids_after(Consent, last_consent)
    through = Consent.scope_agencies.through
    scope = [
        through(consent_id=cons, agency_id=ag)
        for cons, chosen in zip(consent_ids, teams_of, strict=True)
        for ag in chosen
    ]
    w.write(through, scope, "Consent.scope_agencies")
    del team, consents, scope

    t_plan = SupportPlan.objects.order_by("pk").first()
    last_plan = SupportPlan.objects.order_by("-pk").values_list("pk", flat=True).first()
    plans = [
        _clone(
            t_plan,
            case_id=cid,
            version=1,
            status="draft",
            next_monitoring_on=None,
            evaluation_on=None,
            agreed_at_item_id=None,
            agreed_on=None,
            confirmed_on=None,
            created_by_id=coordinator.pk,
        )
        for cid in case_ids
    ]
    w.write(SupportPlan, plans)
    plan_ids = _ids_after(SupportPlan, last_plan)
    del plans

    t_act = Activity.objects.order_by("pk").first()
    acts = []
    for cid, chosen in zip(case_ids, teams_of, strict=True):
        for _ in range(5):
            ag = rng.choice(sorted(chosen))
            acts.append(
                _clone(
                    t_act,
                    case_id=cid,
                    agency_id=ag,
                    occurred_on=day(),
                    recorded_by_id=recorder[ag],
                    seen_by_coordinator_at=None if rng.random() < 0.1 else timezone.now(),
                )
            )
    w.write(Activity, acts)
    del acts

    # --- meetings -------------------------------------------------------------------------
    t_meeting = Meeting.objects.filter(convening_agency=marugoto).order_by("pk").first()
    t_member = MeetingMember.objects.filter(is_guest=False).order_by("pk").first()
    t_item = AgendaItem.objects.order_by("pk").first()
    last_meeting = Meeting.objects.order_by("-pk").values_list("pk", flat=True).first()
    meetings = [
        _clone(
            t_meeting,
            title=f"支援会議 第{i + 1}回",
            starts_at=meeting_starts[i],
            convening_agency_id=marugoto.pk,
            created_by_id=coordinator.pk,
            minutes="",
            is_cancelled=False,
            series="",
        )
        for i in range(n_meetings)
    ]
    w.write(Meeting, meetings)
    meeting_ids = _ids_after(Meeting, last_meeting)
    desk = users["desk"]
    desk_agency = Membership.objects.filter(user=desk).values_list("agency_id", flat=True)[0]
    mm = []
    for i, mid in enumerate(meeting_ids):
        mm.append(
            _clone(
                t_member,
                meeting_id=mid,
                user_id=coordinator.pk,
                agency_id=marugoto.pk,
                name=coordinator.get_full_name() or coordinator.username,
                invited_until=None,
                invitation_revoked_at=None,
            )
        )
        if i % 5 == 0:
            mm.append(
                _clone(
                    t_member,
                    meeting_id=mid,
                    user_id=desk.pk,
                    agency_id=desk_agency,
                    name=desk.get_full_name() or desk.username,
                    invited_until=None,
                    invitation_revoked_at=None,
                )
            )
    w.write(MeetingMember, mm)
    items = [
        _clone(
            t_item,
            meeting_id=meeting_ids[meeting_of(n)],
            order=n % 20 + 1,
            case_id=cid,
            plan_id=plan_ids[n],
            purpose="plan",
            title="プランの協議",
            is_withdrawn=False,
            withdrawn_reason="",
            outcome="agreed" if supported[n] else "",
            decision_text="プランを承認した。" if supported[n] else "",
            decided_at=meeting_starts[meeting_of(n)] if supported[n] else None,
            decided_by_id=coordinator.pk if supported[n] else None,
        )
        for n, cid in enumerate(case_ids)
    ]
    last_item = AgendaItem.objects.order_by("-pk").values_list("pk", flat=True).first()
    w.write(AgendaItem, items)
    item_ids = _ids_after(AgendaItem, last_item)
    del mm, items

    # the supported cases' plans were agreed at their meeting and confirmed that day
    confirmed = []
    for n, (pid, iid) in enumerate(zip(plan_ids, item_ids, strict=True)):
        if supported[n]:
            held = timezone.localdate(meeting_starts[meeting_of(n)])
            confirmed.append(
                SupportPlan(
                    pk=pid,
                    status="confirmed",
                    agreed_at_item_id=iid,
                    agreed_on=held,
                    confirmed_on=held,
                )
            )
    for start in range(0, len(confirmed), CHUNK):
        SupportPlan.objects.bulk_update(
            confirmed[start : start + CHUNK],
            ["status", "agreed_at_item_id", "agreed_on", "confirmed_on"],
        )
    print(f"  {'SupportPlan (confirmed)':<24} {len(confirmed):>9,} rows", flush=True)

    # --- audit events: person reads, appended like audit_record, then sealed in order ------
    t_event = AuditEvent.objects.filter(action="read").order_by("pk").first()
    t_event = t_event or AuditEvent.objects.order_by("pk").first()
    events, subjects = [], []
    for n in range(len(person_ids)):
        k = rng.randrange(len(person_ids))
        a = person_agency[k]
        ev = _clone(
            t_event,
            occurred_at=timezone.now() - datetime.timedelta(minutes=len(person_ids) - n),
            actor_id=recorder[a.pk],
            acting_agency_id=a.pk,
            action="read",
            target_type="people.person",
            target_id=str(person_ids[k]),
            person_ids=[person_ids[k]],
            changes={},
            legacy_seq=None,
            prev_hash="",
        )
        ev.hash = compute_hash(ev)  # the event's own content; the chain is in the seals
        events.append(ev)
        subjects.append(person_ids[k])
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    w.write(AuditEvent, events)
    event_ids = _ids_after(AuditEvent, last_event)
    links = [
        AuditPersonLink(event_id=e, person_id=p) for e, p in zip(event_ids, subjects, strict=True)
    ]
    w.write(AuditPersonLink, links)
    print(f"sealed {audit_seal():,} audit events", flush=True)
    del events, links

    # the bulk rows bypass save(): their grants are computed as access_rebuild does
    started = time.perf_counter()
    subjects = rebuild_grants()
    print(
        f"grants of {subjects:,} persons, households and cases in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )

    # and the monitoring dates stored on the cases, as monitoring_dates_rebuild does
    started = time.perf_counter()
    call_command("monitoring_dates_rebuild", stdout=StringIO())
    print(f"monitoring dates of the cases in {time.perf_counter() - started:.0f} s", flush=True)

    elapsed = time.perf_counter() - w.started
    print(
        f"generated {w.rows:,} rows in {elapsed:.0f} s ({w.rows / elapsed:,.0f} rows/s); "
        f"with the demo city {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    return {"rows": w.rows, "seconds": elapsed, "roles": Role}
