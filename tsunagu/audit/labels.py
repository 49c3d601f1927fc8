"""Japanese labels of audit events: roles, actions and the objects they concern.

The stored codes (``person.search``, ``cases.assessment``) stay as they are for the API and
the hash chain; these labels are only for people reading the log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from tsunagu.accounts.models import Role

ENTITY_LABELS = {
    "activity": "支援経過",
    "agency": "機関",
    "api_token": "APIトークン",
    "assessment": "アセスメント",
    "audit": "監査ログ",
    "auth": "ログイン",
    "case": "事例",
    "consent": "本人同意",
    "consultation": "相談",
    "dashboard": "ホーム画面",
    "household": "世帯",
    "linkage": "名寄せ",
    "meeting": "会議",
    "membership": "所属",
    "monitoring": "モニタリング",
    "notification": "お知らせ",
    "outreach": "アウトリーチ",
    "participation": "参加支援",
    "person": "本人",
    "plan": "支援プラン",
    "referral": "つなぎ",
    "resource": "社会資源",
    "system": "システム",
    "user": "利用者",
}

VERB_LABELS = {
    "list": "一覧の閲覧",
    "view": "閲覧",
    "search": "検索",
    "create": "登録",
    "record": "記録",
    "update": "更新",
    "add": "追加",
}

ACTION_LABELS = {
    "participation.close": "参加支援の終結",
    "participation.follow_up": "参加支援のフォローアップの記録",
    "participation.keep_in_touch": "つながりの維持の記録",
    "participation.keep_in_touch_end": "つながりの維持の終了",
    "participation.list": "参加支援の一覧の閲覧",
    "participation.match_move": "参加支援マッチングの状況の変更",
    "participation.match_propose": "参加支援マッチングの提案",
    "participation.open": "参加支援の開始",
    "participation.update": "参加支援の目標・取り組みの更新",
    "participation.view": "参加支援の記録の閲覧",
    "resource.create": "社会資源の登録",
    "resource.exception_add": "社会資源の予定の例外の追加",
    "resource.host_save": "受け入れ先の登録・アセスメント",
    "resource.hsds_import": "社会資源の取込（HSDS）",
    "resource.organization_create": "提供団体の登録",
    "resource.organization_update": "提供団体の更新",
    "resource.update": "社会資源の更新",
    "resource.gap_create": "不足する社会資源の登録",
    "resource.gap_update": "不足する社会資源の更新",
    "resource.gap_move": "不足する社会資源の状況の変更",
    "community.indicator_save": "成果目標の指標の登録・変更",
    "community.target_set": "成果目標の設定",
    "community.evaluation_write": "成果目標の評価の記入",
    "community.activity_create": "地域づくり活動の記録",
    "community.activity_update": "地域づくり活動の記録の更新",
    "community.activity_gap_add": "地域づくり活動で気づいた不足する社会資源の登録",
    "community.activity_export": "地域づくり活動の書き出し",
    "community.platform_create": "プラットフォームの登録",
    "community.platform_update": "プラットフォームの更新",
    "community.platform_member_add": "プラットフォームの構成団体の追加",
    "community.platform_member_leave": "プラットフォームの構成団体の退会",
    "community.watch_create": "見守りの登録",
    "community.watch_link_person": "見守りの本人の特定",
    "community.watch_end": "見守りの終了",
    "community.watch_list": "見守りの一覧の閲覧",
    "community.watch_view": "見守りの閲覧",
    "community.watcher_add": "見守る人・機関の追加",
    "community.check": "安否確認の記録",
    "community.escalate": "見守りから相談・アウトリーチへのつなぎ",
    "community.report_create": "気づき・通報の記録",
    "community.report_list": "気づき・通報の一覧の閲覧",
    "community.report_view": "気づき・通報の閲覧",
    "community.report_triage": "気づき・通報の振り分け",
    "participation.gap_need": "合う社会資源がないことの記録",
    "participation.gap_need_remove": "合う社会資源がないことの記録の取消し",
    "outreach.close": "アウトリーチの終了",
    "outreach.consent": "アウトリーチの同意（利用申込）の記録",
    "outreach.contact": "アウトリーチの接触記録",
    "outreach.contact_list": "アウトリーチの接触記録の閲覧",
    "outreach.create": "アウトリーチ対象の登録",
    "outreach.handover": "アウトリーチから多機関協働へのつなぎ",
    "outreach.identify_request": "アウトリーチ対象の本人の特定を事務局に依頼",
    "outreach.link_person": "アウトリーチ対象の本人の特定",
    "outreach.list": "アウトリーチ担当一覧の閲覧",
    "outreach.plan_create": "アウトリーチ支援計画の作成",
    "outreach.print": "アウトリーチ記録票の出力",
    "outreach.plan_list": "アウトリーチ支援計画の閲覧",
    "outreach.plan_to_meeting": "アウトリーチ支援計画を会議の議題に",
    "outreach.reopen": "アウトリーチの再開",
    "outreach.stage": "アウトリーチの段階の変更",
    "outreach.update": "アウトリーチ対象の更新",
    "outreach.urgent": "アウトリーチ対象を緊急に",
    "outreach.urgent_clear": "アウトリーチ対象の緊急の解除",
    "outreach.view": "アウトリーチ対象の閲覧",
    "activity.list": "支援経過の一覧の閲覧",
    "activity.record": "支援経過の記録",
    "agency.update": "機関情報の更新",
    "api_token.issue": "APIトークンの発行",
    "api_token.revoke": "APIトークンの失効",
    "assessment.record": "アセスメントの記録",
    "assessment.view": "アセスメントの閲覧",
    "audit.list": "監査ログの閲覧",
    "auth.login": "ログイン",
    "auth.login_failed": "ログインの失敗",
    "auth.logout": "ログアウト",
    "auth.locked_out": "ログインのロック（続けて失敗）",
    "auth.unlocked": "ログインのロックの解除",
    "auth.2fa_enrolled": "二段階認証の登録",
    "auth.2fa_verified": "二段階認証の確認",
    "auth.2fa_failed": "二段階認証の失敗",
    "auth.2fa_reset": "二段階認証のやり直し",
    "auth.directory_user_created": "庁内アカウントからの利用者の作成",
    "case.close": "事例の終結",
    "case.list": "事例の一覧の閲覧",
    "case.monitoring": "モニタリングへの移行",
    "case.monitoring_done": "モニタリングの完了",
    "case.off_agenda": "会議の議題から外す",
    "case.on_agenda": "会議の議題にする",
    "case.open": "事例の開始",
    "case.plan_agreed": "支援プランの合意",
    "case.plan_reported": "支援プランの報告",
    "case.plan_revise": "支援プランの見直し",
    "case.reopen": "事例の再開",
    "case.replan_needed": "再プランが必要",
    "case.support_decision": "支援決定",
    "case.suspend": "事例の中断",
    "case.team_add": "支援チームへの機関の追加",
    "case.transition": "事例の状態の変更",
    "case.view": "事例の閲覧",
    "consent.record": "本人同意の記録",
    "consent.withdraw": "本人同意の撤回",
    "consultation.create": "相談の登録",
    "consultation.list": "相談の一覧の閲覧",
    "consultation.update": "相談の更新",
    "consultation.view": "相談の閲覧",
    "dashboard.view": "ホーム画面の閲覧",
    "household.create": "世帯の登録",
    "household.member_add": "世帯員の追加",
    "household.view": "世帯の閲覧",
    "linkage.candidate_add": "名寄せ候補の追加",
    "linkage.candidate_confirm": "名寄せ候補の確定",
    "linkage.candidate_list": "名寄せ候補の一覧の閲覧",
    "linkage.candidate_reject": "名寄せ候補の却下",
    "linkage.candidate_view": "名寄せ候補の閲覧",
    "linkage.import_done": "取込の完了",
    "linkage.import_fail": "取込の失敗",
    "linkage.import_interrupt": "取込の中断",
    "linkage.import_list": "取込の一覧の閲覧",
    "linkage.import_link": "取込データの名寄せ",
    "linkage.import_link_skipped": "取込データの名寄せの省略",
    "linkage.import_map": "取込の列の対応付け",
    "linkage.import_persons": "取込データからの本人の登録",
    "linkage.import_preview": "取込のプレビュー",
    "linkage.import_queue": "取込で見つかった名寄せ候補の登録",
    "linkage.import_resume": "取込の再開",
    "linkage.import_start": "取込の開始",
    "linkage.import_upload": "取込ファイルのアップロード",
    "linkage.import_validate": "取込データの検証",
    "linkage.import_view": "取込の閲覧",
    "linkage.merge_list": "統合の一覧の閲覧",
    "linkage.merge_view": "統合の閲覧",
    "meeting.action_item_add": "会議の宿題の追加",
    "meeting.action_item_done": "会議の宿題の完了",
    "meeting.agenda_add": "会議の議題の追加",
    "meeting.agenda_form": "会議の議題の作成画面",
    "meeting.agenda_withdraw": "会議の議題の取り下げ",
    "meeting.attendance": "会議の出欠の記録",
    "meeting.create": "会議の登録",
    "meeting.decision": "会議の決定事項の記録",
    "meeting.invitation_revoke": "会議への招待の取り消し",
    "meeting.list": "会議の一覧の閲覧",
    "meeting.member_add": "会議の構成員の追加",
    "meeting.minutes": "会議録の記録",
    "meeting.pledge": "守秘義務の誓約",
    "meeting.resource_gap_add": "不足する社会資源の記録",
    "meeting.summary_sheet": "会議の概要シートの閲覧",
    "meeting.view": "会議の閲覧",
    "membership.grant": "所属・役割の付与",
    "membership.revoke": "所属・役割の取り消し",
    "membership.propose": "役割付与の申請",
    "membership.approve": "役割付与の承認",
    "membership.reject": "役割付与の却下",
    "monitoring.due_list": "モニタリング期限の一覧の閲覧",
    "monitoring.record": "モニタリングの記録",
    "monitoring.view": "モニタリングの閲覧",
    "notification.list": "お知らせの閲覧",
    "person.access_export": "閲覧の根拠の書き出し（開示請求）",
    "person.access_view": "閲覧の根拠の閲覧（誰が見られるか）",
    "person.create": "本人の登録",
    "person.disclosure_export": "開示請求への回答の作成（本人の記録と閲覧・変更の履歴）",
    "person.disclosure_view": "開示請求への回答の準備（記録の件数の閲覧）",
    "person.create_confirmed_distinct": "本人の登録（別人と確認のうえ）",
    "person.known_check": "既に知られている方かの確認",
    "person.merge": "本人の記録の統合",
    "person.search": "本人の検索",
    "person.unmerge": "本人の記録の統合の取り消し",
    "person.update": "本人の情報の更新",
    "person.view": "本人の閲覧",
    "plan.item_add": "支援プランの項目の追加",
    "plan.view": "支援プランの閲覧",
    "referral.accept": "つなぎの受理",
    "referral.acknowledge_return": "つなぎの差し戻しの確認",
    "referral.list": "つなぎの一覧の閲覧",
    "referral.return": "つなぎの差し戻し",
    "referral.send": "つなぎの送付",
    "referral.view": "つなぎの閲覧",
    "system.check": "システムの点検",
    "user.create": "利用者の登録",
    "user.deactivate": "利用者の無効化",
    "user.password_reset": "パスワードの再設定",
}

# Short names of the kinds of object, where the model's verbose_name is long
TARGET_KIND_LABELS = {
    "cases.case": "事例",
    "cases.assessment": "アセスメント",
    "people.person": "本人",
    "people.household": "世帯",
}


def role_label(code: str) -> str:
    if not code:
        return ""
    return Role(code).label if code in Role.values else code


def action_label(code: str) -> str:
    """The Japanese name of an action; unknown ones are named from their parts."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    entity, _, verb = code.partition(".")
    if entity in ENTITY_LABELS:
        return f"{ENTITY_LABELS[entity]}の{VERB_LABELS.get(verb, '操作')}"
    return code


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def kind_label(target_type: str) -> str:
    if target_type in TARGET_KIND_LABELS:
        return TARGET_KIND_LABELS[target_type]
    model = _model(target_type)
    return str(model._meta.verbose_name) if model else target_type


def target_labels(*, user, events: Iterable) -> dict[tuple[str, str], str]:
    """``{(target_type, target_id): label}`` for the targets of ``events``, as ``user`` may
    read them: a person's or household's name only when the user may see that record,
    otherwise the kind and number; records of a case are named by their case number."""
    from tsunagu import access  # access rules sit above the audit app

    ids_by_type: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.target_type and event.target_id:
            ids_by_type[event.target_type].add(event.target_id)
    labels: dict[tuple[str, str], str] = {}
    for target_type, ids in ids_by_type.items():
        kind = kind_label(target_type)
        numbers = [int(i) for i in ids if i.isdigit()]
        for target_id in ids:
            labels[(target_type, target_id)] = f"{kind} #{target_id}"
        model = _model(target_type)
        if model is None or not numbers:
            continue
        if target_type == "people.person":
            visible = access.persons_visible_to(user).filter(pk__in=numbers)
            for pk, name in visible.values_list("pk", "name"):
                labels[(target_type, str(pk))] = f"{name}（本人 #{pk}）"
        elif target_type == "people.household":
            visible = access.households_visible_to(user).filter(pk__in=numbers)
            for pk, label in visible.values_list("pk", "label"):
                labels[(target_type, str(pk))] = f"{label}（世帯 #{pk}）"
        elif _has_field(model, "case") and target_type != "cases.case":
            rows = model._default_manager.filter(pk__in=numbers).values_list("pk", "case_id")
            for pk, case_id in rows:
                labels[(target_type, str(pk))] = f"事例 #{case_id} の{kind}（#{pk}）"
    return labels


def _has_field(model, name: str) -> bool:
    """Whether ``model`` has a column ``name`` (a reverse relation such as a referral's
    ``case`` does not count: it has no ``case_id``)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(getattr(field, "concrete", False))
