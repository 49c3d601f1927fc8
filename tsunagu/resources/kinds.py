"""The standard kinds of community resources (issue: the municipality's list to extend)."""

KINDS = [
    ("ibasho", "居場所"),
    ("salon", "サロン"),
    ("kodomo_shokudo", "子ども食堂"),
    ("kayoinoba", "通いの場"),
    ("work_experience", "就労体験先"),
    ("intermediate_work", "中間的就労"),
    ("shop_farm_work", "商店・農家の作業の場"),
    ("temporary_housing", "一時的な住まい"),
    ("study_support", "学習支援"),
    ("volunteering", "ボランティア活動"),
    ("consultation_desk", "相談窓口"),
    ("other", "その他"),
]


def install_standard_kinds(model) -> None:
    for order, (code, name) in enumerate(KINDS, start=1):
        model.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
