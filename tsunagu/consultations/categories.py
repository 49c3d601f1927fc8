"""The standard list of consultation categories (domain.md §7); municipalities may add more."""

CATEGORIES = [
    ("elderly_care", "高齢・介護"),
    ("disability", "障害"),
    ("children", "子ども・子育て"),
    ("poverty", "生活困窮・経済"),
    ("debt", "債務"),
    ("employment", "就労"),
    ("housing", "住まい"),
    ("health", "健康・医療"),
    ("mental_health", "精神保健"),
    ("addiction", "依存症"),
    ("hikikomori", "ひきこもり"),
    ("problem_8050", "8050問題"),
    ("double_care", "ダブルケア"),
    ("young_carer", "ヤングケアラー"),
    ("abuse", "虐待"),
    ("dv", "DV"),
    ("suicidal", "自殺念慮"),
    ("self_neglect", "セルフネグレクト・ごみ屋敷"),
    ("isolation", "孤独・孤立"),
    ("foreign", "外国籍・言語"),
    ("school_refusal", "不登校"),
    ("ex_offender", "刑余者"),
    ("other", "その他"),
]


def install_standard_categories(model) -> None:
    """Create or rename the standard categories (``model`` may be a migration's historical one)."""
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        model.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order * 10})
