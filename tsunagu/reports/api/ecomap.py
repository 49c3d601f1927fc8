"""The ecomap over the API (``/api/v1/reports/ecomap/persons/{id}`` and
``/households/{id}``): the same nodes and edges as the page, by the same rules (a person or
household the user may not see answers 404), and the read is audited."""

import datetime

from ninja import Router, Schema

from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut
from tsunagu.people import selectors as people_selectors

from ..ecomap import graph
from ..ecomap.reads import audit_ecomap

router = Router()


class NodeOut(Schema):
    id: str
    kind: str
    kind_label: str
    label: str
    note: str
    ring: int


class EdgeOut(Schema):
    source: str
    target: str
    category: str
    category_label: str
    kind: str
    label: str
    strength: str
    strength_label: str
    status: str
    since: datetime.date | None
    until: datetime.date | None
    record: str


class EcomapOut(Schema):
    subject: str
    subject_id: int
    title: str
    as_of: datetime.date
    nodes: list[NodeOut]
    edges: list[EdgeOut]


def _out(ecomap: graph.Ecomap) -> dict:
    return {
        "subject": ecomap.subject,
        "subject_id": ecomap.subject_id,
        "title": ecomap.title,
        "as_of": ecomap.today,
        "nodes": ecomap.nodes,
        "edges": ecomap.edges,
    }


@router.get(
    "/ecomap/persons/{person_id}",
    response={200: EcomapOut, 404: ErrorOut},
    summary="本人のエコマップ（関わる機関・会議・参加の場・見守り）",
)
def person_ecomap(request, person_id: int):
    """閲覧できる範囲の関わりだけを返します。``record`` は元の記録（``case:12`` など）です。"""
    require_perm(request, "people.use")
    person = people_selectors.get_person_for_user(request.user, person_id)
    ecomap = graph.person_ecomap(request.user, person)
    audit_ecomap(request, ecomap, person, "json")
    return _out(ecomap)


@router.get(
    "/ecomap/households/{household_id}",
    response={200: EcomapOut, 404: ErrorOut},
    summary="世帯のエコマップ（世帯員と、関わる機関・会議・参加の場・見守り）",
)
def household_ecomap(request, household_id: int):
    """閲覧できない世帯員は氏名・続柄なしで返し、その方の関わりは含めません。"""
    require_perm(request, "people.use")
    household = people_selectors.get_household_for_user(request.user, household_id)
    ecomap = graph.household_ecomap(request.user, household)
    audit_ecomap(request, ecomap, household, "json")
    return _out(ecomap)
