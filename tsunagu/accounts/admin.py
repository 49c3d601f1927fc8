"""System administration of users, memberships, agencies and areas (never case contents)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.forms import limit_texts

from . import lockout, services
from .models import (
    PERSONAL_DATA_ROLES,
    Agency,
    AgencyProgram,
    ApiToken,
    Area,
    LoginAttempt,
    Membership,
    Role,
    RoleGrantRequest,
    User,
)


class _LimitedTexts:
    """A form of the admin site refuses a text longer than the program keeps on the form,
    in Japanese (the model's ``save()`` would refuse it with a server error)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_texts(self)


class AuditedAdminMixin:
    """Every change made in the admin site is written to the audit trail; a text too long is
    an error on the form."""

    audit_entity = ""
    audit_exclude: tuple[str, ...] = ("password", "last_login", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (_LimitedTexts, form), {})

    def _snapshot(self, obj) -> dict:
        values = snapshot(obj)
        return {k: v for k, v in values.items() if k not in self.audit_exclude}

    def save_model(self, request, obj, form, change):
        before = self._snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = diff(before, self._snapshot(obj))
            if "password" in form.changed_data or "password1" in form.changed_data:
                changes["password"] = {"before": "（非表示）", "after": "（変更）"}
            audit_record(
                actor=request.user,
                action=f"{self.audit_entity}.{'update' if change else 'create'}",
                target=obj,
                changes=changes,
                ip_address=request.META.get("REMOTE_ADDR"),
                via="admin",
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=f"{self.audit_entity}.delete",
                target=obj,
                changes=diff(self._snapshot(obj), {}),
                ip_address=request.META.get("REMOTE_ADDR"),
                via="admin",
            )
            super().delete_model(request, obj)


class MembershipInline(admin.TabularInline):
    """The user's memberships, read only: a role that opens personal data is given through a
    役割付与の申請 that a municipal officer approves; the administrator role on 所属・役割."""

    model = Membership
    extra = 0
    fields = ("agency", "role", "title", "is_active")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AgencyProgramInline(admin.TabularInline):
    model = AgencyProgram
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    audit_entity = "user"
    inlines = (MembershipInline,)
    list_display = ("username", "display_name", "email", "is_active", "last_login")
    list_filter = ("is_active", "memberships__role", "memberships__agency__field")
    search_fields = ("username", "display_name", "display_name_kana", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("個人情報", {"fields": ("display_name", "display_name_kana", "email", "phone")}),
        (
            "状態",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_service_account",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "password1", "password2"),
            },
        ),
    )
    actions = ("deactivate_users", "reset_second_factor")

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            if user.pk == request.user.pk:
                audit_record(
                    actor=request.user,
                    action="user.password_reset",
                    target=user,
                    changes={"password": {"before": "（非表示）", "after": "（変更）"}},
                    ip_address=request.META.get("REMOTE_ADDR"),
                    via="admin",
                )
            else:  # audited, and the user is told in the app and by e-mail
                services.password_set_by_another(
                    user=user, by=request.user, ip_address=request.META.get("REMOTE_ADDR")
                )
        return response

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: audit events and records refer to them.
        return False

    @admin.action(description="選択した利用者を無効にする（ログイン不可・トークン失効）")
    def deactivate_users(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            services.user_deactivate(user=user, by=request.user, reason="管理画面から無効化")
            count += 1
        self.message_user(request, f"{count}人の利用者を無効にしました。", messages.SUCCESS)

    @admin.action(description="選択した利用者の二段階認証をやり直させる（次のログインで登録）")
    def reset_second_factor(self, request, queryset):
        from .two_factor import second_factor_reset

        for user in queryset:
            second_factor_reset(
                user=user, by=request.user, ip_address=request.META.get("REMOTE_ADDR")
            )
        self.message_user(
            request,
            f"{queryset.count()}人の利用者の二段階認証をやり直しにしました。",
            messages.SUCCESS,
        )


@admin.register(Agency)
class AgencyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_entity = "agency"
    inlines = (AgencyProgramInline,)
    list_display = (
        "name",
        "field",
        "operation",
        "area",
        "responsible_section",
        "site_count",
        "is_active",
    )
    list_filter = ("field", "operation", "programs__program", "is_active")
    search_fields = ("name", "name_kana", "code", "responsible_section")
    autocomplete_fields = ("area",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_entity = "area"
    list_display = ("name", "kind", "parent", "sort_order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)

    def has_delete_permission(self, request, obj=None):
        return False


NO_PERSONAL_DATA_ROLES = [(r.value, r.label) for r in Role if r.value not in PERSONAL_DATA_ROLES]
PERSONAL_DATA_ROLE_CHOICES = [(r.value, r.label) for r in Role if r.value in PERSONAL_DATA_ROLES]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Memberships: the administrator adds only roles that open no personal data here; the
    others go through 役割付与の申請. User, agency and role of a membership never change
    (revoke it and grant another); reactivating a role that opens personal data is a request."""

    audit_entity = "membership"
    list_display = ("user", "agency", "role", "title", "is_active")
    list_filter = ("role", "is_active", "agency__field")
    search_fields = ("user__username", "user__display_name", "agency__name")
    autocomplete_fields = ("user", "agency")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "agency", "role") if obj is not None else ()

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = NO_PERSONAL_DATA_ROLES
            kwargs["help_text"] = (
                "個人情報を開く役割は「役割付与の申請」から。自治体職員（事務局）の承認で付与されます。"
            )
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        reactivating = (
            change
            and obj.is_active
            and obj.role in PERSONAL_DATA_ROLES
            and not Membership.objects.filter(pk=obj.pk, is_active=True).exists()
        )
        if reactivating:
            obj.is_active = False
            services.role_grant_propose(
                user=obj.user,
                agency=obj.agency,
                role=obj.role,
                by=request.user,
                title=obj.title,
                reason="管理画面で所属を有効に戻す",
            )
            self.message_user(
                request,
                "個人情報を開く役割のため、有効化は自治体職員（事務局）の承認待ちになりました。",
                messages.WARNING,
            )
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


class RoleGrantRequestForm(forms.ModelForm):
    role = forms.ChoiceField(label="役割", choices=PERSONAL_DATA_ROLE_CHOICES)

    class Meta:
        model = RoleGrantRequest
        fields = ("user", "agency", "role", "title", "reason")


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(admin.ModelAdmin):
    """役割付与の申請: proposed here by the system administrator; approved or rejected by a
    municipal officer on /accounts/role-grants/ (never by the proposer or the user)."""

    form = RoleGrantRequestForm
    list_display = (
        "user",
        "agency",
        "role",
        "status",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "role")
    search_fields = ("user__username", "user__display_name", "agency__name")
    autocomplete_fields = ("user", "agency")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "agency", "role", "title", "reason")
        return (
            "user",
            "agency",
            "role",
            "title",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        )

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        grant = services.role_grant_propose(
            user=obj.user,
            agency=obj.agency,
            role=obj.role,
            by=request.user,
            title=obj.title,
            reason=obj.reason,
        )
        obj.pk = grant.pk
        self.message_user(
            request,
            "役割付与を申請しました。自治体職員（事務局）が承認すると付与されます。",
            messages.SUCCESS,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ProposalForm(form):
            def clean(self):
                data = super().clean()
                if data.get("user") and data.get("agency") and data.get("role"):
                    services.role_grant_check(
                        user=data["user"], agency=data["agency"], role=data["role"]
                    )
                return data

        return ProposalForm


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "membership",
        "created_at",
        "expires_at",
        "revoked_at",
    )
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    fields = (
        "membership",
        "name",
        "expires_at",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke_tokens",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # a token acts as its user: the administrator's own memberships, or a service account's
        # membership that opens no personal data (services.may_issue_token decides)
        if db_field.name == "membership":
            kwargs["queryset"] = (
                Membership.objects.filter(is_active=True, user__is_active=True)
                .filter(
                    Q(user=request.user)
                    | Q(user__is_service_account=True) & ~Q(role__in=PERSONAL_DATA_ROLES)
                )
                .select_related("user", "agency")
            )
            kwargs["help_text"] = (
                "本人の所属、または個人情報を開く役割を持たないシステム連携用アカウントの所属だけ"
                "選べます。他の利用者のトークンは本人が「APIトークン」の画面で発行します。"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class TokenForm(form):
            def clean_membership(self):
                membership = self.cleaned_data["membership"]
                if not services.may_issue_token(membership=membership, by=request.user):
                    raise ValidationError(
                        "この所属のトークンは本人だけが発行できます"
                        "（個人情報を開く役割を持つアカウントのため）。"
                    )
                return membership

        return TokenForm

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, raw = services.api_token_issue(
            membership=obj.membership, name=obj.name, by=request.user, expires_at=obj.expires_at
        )
        obj.pk = token.pk
        self.message_user(
            request,
            f"APIトークンを発行しました。この画面を離れると二度と表示されません: {raw}",
            messages.WARNING,
        )

    @admin.action(description="選択したトークンを失効させる")
    def revoke_tokens(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, by=request.user)
        self.message_user(request, "トークンを失効させました。", messages.SUCCESS)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Failed sign-ins counted towards a lockout; the only change is unlocking (audited)."""

    list_display = ("user_id", "address", "failures", "last_failure", "state")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"
    fields = ("user_id", "address", "browser", "page", "failures", "last_failure", "state")
    readonly_fields = fields
    ordering = ("-attempt_time",)
    actions = ("unlock",)

    @admin.display(description="ユーザーID", ordering="username")
    def user_id(self, obj):
        return obj.username

    @admin.display(description="接続元", ordering="ip_address")
    def address(self, obj):
        return obj.ip_address

    @admin.display(description="ブラウザ")
    def browser(self, obj):
        return obj.user_agent

    @admin.display(description="画面")
    def page(self, obj):
        return obj.path_info

    @admin.display(description="失敗の回数（この接続元）", ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="最後の失敗", ordering="attempt_time")
    def last_failure(self, obj):
        return obj.attempt_time

    @admin.display(description="状態")
    def state(self, obj):
        return "ロック中" if obj.username and lockout.is_locked(obj.username) else "―"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="選択したユーザーIDのログインのロックを解除する")
    def unlock(self, request, queryset):
        usernames = sorted(set(queryset.exclude(username=None).values_list("username", flat=True)))
        for username in usernames:
            lockout.login_unlock(
                username=username,
                by=request.user,
                ip_address=request.META.get("REMOTE_ADDR"),
                via="admin",
            )
        self.message_user(
            request, f"{len(usernames)}件のユーザーIDのロックを解除しました。", messages.SUCCESS
        )
