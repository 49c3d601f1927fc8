"""System administration of users, memberships, agencies and areas (never case contents)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from tsunagu.audit.services import audit_record, diff, snapshot

from . import lockout, services
from .models import Agency, AgencyProgram, ApiToken, Area, LoginAttempt, Membership, User


class AuditedAdminMixin:
    """Every change made in the admin site is written to the audit trail."""

    audit_entity = ""
    audit_exclude: tuple[str, ...] = ("password", "last_login", "updated_at")

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
    model = Membership
    extra = 0
    fields = ("agency", "role", "title", "is_active")
    autocomplete_fields = ("agency",)
    can_delete = False


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
        ("状態", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
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
    actions = ("deactivate_users",)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit_record(
                actor=request.user,
                action="user.password_reset",
                target_type="accounts.user",
                target_id=id,
                changes={"password": {"before": "（非表示）", "after": "（変更）"}},
                ip_address=request.META.get("REMOTE_ADDR"),
                via="admin",
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


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_entity = "membership"
    list_display = ("user", "agency", "role", "title", "is_active")
    list_filter = ("role", "is_active", "agency__field")
    search_fields = ("user__username", "user__display_name", "agency__name")
    autocomplete_fields = ("user", "agency")

    def has_delete_permission(self, request, obj=None):
        return False


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
    autocomplete_fields = ("membership",)
    actions = ("revoke_tokens",)

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
