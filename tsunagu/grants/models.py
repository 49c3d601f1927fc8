"""Who may see a person, a household or a 多機関協働 case, and on what basis: the access
rules of ``tsunagu.access`` materialised, one row per agency, subject and basis.

The rows are written only by :mod:`tsunagu.grants.maintain`, in the transaction of the change
that gives or ends a basis (a registration, consultation, referral, household membership,
case, team membership or consent). A grant that ends is not deleted: it is closed
(``valid_until``), so the table also answers who could see a person, since when and why.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Basis(models.TextChoices):
    # persons and households
    REGISTERED = "registered", "登録した機関"
    CONSULTED = "consulted", "相談を受けた機関"
    REFERRED = "referred", "つなぎの送り手・受け手"
    HOUSEHOLD = "household", "関わりのある世帯の世帯員"
    MEMBER = "member", "見ることのできる世帯員がいる"
    CONSENT = "consent", "本人の同意（共有先に指定）"
    OUTREACH = "outreach", "アウトリーチの実施機関"
    PARTICIPATION = "participation", "参加支援事業者"
    # 多機関協働 cases
    COORDINATING = "coordinating", "多機関協働事業者"
    REFERRING = "referring", "つなぎ元"
    TEAM = "team", "支援チームの機関"


# Bases that open a case's content, not only its existence and state (domain.md §6).
CASE_CONTENT_BASES = (Basis.COORDINATING, Basis.CONSENT)


class AccessGrant(models.Model):
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="機関", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name="世帯",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="多機関協働事例",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    basis = models.CharField("根拠", max_length=20, choices=Basis.choices)
    valid_from = models.DateTimeField("開始")
    valid_until = models.DateTimeField("終了", null=True, blank=True)

    class Meta:
        verbose_name = "閲覧の根拠"
        verbose_name_plural = "閲覧の根拠"
        constraints = [
            models.CheckConstraint(
                name="grant_one_subject",
                condition=(
                    Q(person__isnull=False, household__isnull=True, case__isnull=True)
                    | Q(person__isnull=True, household__isnull=False, case__isnull=True)
                    | Q(person__isnull=True, household__isnull=True, case__isnull=False)
                ),
            ),
            # the current grants, one per agency, subject and basis; their indexes answer
            # "which persons may this agency see" without touching the table
            models.UniqueConstraint(
                fields=["agency", "person", "basis"],
                condition=Q(valid_until__isnull=True, person__isnull=False),
                name="grant_current_person",
            ),
            models.UniqueConstraint(
                fields=["agency", "household", "basis"],
                condition=Q(valid_until__isnull=True, household__isnull=False),
                name="grant_current_household",
            ),
            models.UniqueConstraint(
                fields=["agency", "case", "basis"],
                condition=Q(valid_until__isnull=True, case__isnull=False),
                name="grant_current_case",
            ),
        ]

    def __str__(self) -> str:
        subject = self.person_id or self.household_id or self.case_id
        return f"{self.agency_id} → {subject} ({self.basis})"

    @property
    def is_current(self) -> bool:
        return self.valid_until is None


#: the name keys of a person that a search matches (``people.selectors``), copied into
#: :class:`SearchEntry`
SEARCH_KEYS = ("key_name", "key_given", "key_kana", "key_kana_given")


class SearchEntry(models.Model):
    """A person an agency may see, with the keys its name is searched by: one row per agency
    and person with a current grant (any basis), the person not archived.

    An agency's search of a short name (林: 23,000 persons of a million) then reads only the
    persons it may see, from one index per key, instead of joining every match with the
    agency's grants. The rows are kept by :mod:`tsunagu.grants.maintain` whenever a person's
    grants are refreshed — which every change of a person (name, archive, merge) does — and
    checked by ``access_verify``.
    """

    # no index of their own: the unique (person, agency) and the search indexes lead with them
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="機関",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    key_name = models.CharField(max_length=100, blank=True)
    key_given = models.CharField(max_length=60, blank=True)
    key_kana = models.CharField(max_length=100, blank=True)
    key_kana_given = models.CharField(max_length=60, blank=True)
    birth_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "検索できる本人"
        verbose_name_plural = "検索できる本人"
        constraints = [
            models.UniqueConstraint(fields=["person", "agency"], name="search_entry_person"),
        ]
        indexes = [
            *(
                models.Index(
                    fields=["agency", key, "key_kana", "person"], name=f"search_entry_{short}"
                )
                for key, short in (
                    ("key_name", "name"),
                    ("key_given", "given"),
                    ("key_kana_given", "kana_given"),
                )
            ),
            models.Index(fields=["agency", "key_kana", "person"], name="search_entry_kana"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} → {self.person_id}"
