"""Persons (本人・世帯員) and households (世帯). Personal data: never hard-deleted by users."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tsunagu.common.models import VisibleQuerySet
from tsunagu.common.wareki import age_on
from tsunagu.linkage.keys import name_keys, stored_keys


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"
    UNKNOWN = "unknown", "不明・回答なし"


class Relation(models.TextChoices):
    """続柄, relative to the head of the household."""

    HEAD = "head", "世帯主"
    SPOUSE = "spouse", "配偶者"
    CHILD = "child", "子"
    CHILD_SPOUSE = "child_spouse", "子の配偶者"
    FATHER = "father", "父"
    MOTHER = "mother", "母"
    GRANDPARENT = "grandparent", "祖父母"
    GRANDCHILD = "grandchild", "孫"
    SIBLING = "sibling", "兄弟姉妹"
    OTHER_RELATIVE = "other_relative", "その他の親族"
    LODGER = "lodger", "同居人"


class Person(models.Model):
    """A person known to the program; names are stored exactly as entered."""

    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100)
    birth_date = models.DateField("生年月日", null=True, blank=True)
    sex = models.CharField("性別", max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    mobile_phone = models.CharField("携帯電話", max_length=30, blank=True)
    contact_notes = models.TextField("連絡上の注意", blank=True)
    registered_by_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="登録機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Search keys derived by tsunagu.linkage.normalize (never edited by hand)
    key_name = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    key_family = models.CharField(max_length=60, blank=True, editable=False, db_index=True)
    key_given = models.CharField(max_length=60, blank=True, editable=False, db_index=True)
    key_kana = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    key_kana_family = models.CharField(max_length=60, blank=True, editable=False, db_index=True)
    key_kana_given = models.CharField(max_length=60, blank=True, editable=False, db_index=True)
    # Keys of the "is this person known?" lookup (tsunagu.linkage.lookup)
    key_name_loose = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    key_address = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    key_building = models.CharField(max_length=200, blank=True, editable=False)
    key_phones = models.CharField(max_length=100, blank=True, editable=False)
    is_archived = models.BooleanField("アーカイブ済み", default=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

    class Meta:
        verbose_name = "本人"
        verbose_name_plural = "本人"
        ordering = ["name_kana", "id"]
        indexes = [
            models.Index(fields=["birth_date"], name="person_birth_date_idx"),
            # the search of the list pages (selectors.person_search_ids): each name key with
            # the reading and the id beside it, so that the matches of a short query are
            # found and sorted from the index alone
            *(
                models.Index(
                    fields=[key, "key_kana", "id"],
                    condition=models.Q(is_archived=False),
                    name=f"person_search_{short}",
                )
                for key, short in (
                    ("key_name", "name"),
                    ("key_given", "given"),
                    ("key_kana_given", "kana_given"),
                )
            ),
            models.Index(
                fields=["key_kana", "id"],
                condition=models.Q(is_archived=False),
                name="person_search_kana",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_keys(self) -> None:
        keys = name_keys(self.name, self.name_kana)
        self.key_name = keys.name
        self.key_family = keys.family
        self.key_given = keys.given
        self.key_kana = keys.kana
        self.key_kana_family = keys.kana_family
        self.key_kana_given = keys.kana_given
        for field_name, value in stored_keys(
            name_key=self.key_name,
            address=self.address,
            phones=(self.phone, self.mobile_phone),
        ).items():
            setattr(self, field_name, value)

    def age_on(self, day):

        return age_on(self.birth_date, day) if self.birth_date else None


class Household(models.Model):
    """世帯: people living together; membership has a period (people move in and out)."""

    label = models.CharField("世帯の呼称", max_length=100, help_text="例：山田世帯")
    address = models.CharField("住所", max_length=200, blank=True)
    notes = models.TextField("備考", blank=True)
    registered_by_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="登録機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

    class Meta:
        verbose_name = "世帯"
        verbose_name_plural = "世帯"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, verbose_name="世帯", on_delete=models.PROTECT, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name="本人", on_delete=models.PROTECT, related_name="household_links"
    )
    relation = models.CharField("続柄", max_length=20, choices=Relation.choices)
    start_date = models.DateField("世帯員となった日", null=True, blank=True)
    end_date = models.DateField("世帯を離れた日", null=True, blank=True)

    class Meta:
        verbose_name = "世帯員"
        verbose_name_plural = "世帯員"
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=Q(end_date__isnull=True),
                name="household_member_current_unique",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="household_member_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} / {self.person}（{self.get_relation_display()}）"


def subject_person_ids(person_id: int | None, household_id: int | None) -> list[int]:
    """The person and the current members of the household a record is about."""
    ids = {person_id} if person_id else set()
    if household_id:
        ids |= set(
            HouseholdMember.objects.filter(
                household_id=household_id, end_date__isnull=True
            ).values_list("person_id", flat=True)
        )
    return sorted(ids)
