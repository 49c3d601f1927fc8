from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .models import Field, Program
from .sso import FAILURE_REASONS, failure_of


class AgencyFilterForm(forms.Form):
    q = forms.CharField(label="キーワード", required=False, max_length=100)
    field = forms.ChoiceField(
        label="分野",
        required=False,
        choices=[("", "すべての分野"), *Field.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    program = forms.ChoiceField(
        label="実施事業",
        required=False,
        choices=[("", "すべての事業"), *Program.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "ユーザーIDまたはパスワードが正しくありません。",
        "inactive": "このアカウントは無効になっています。管理者にお問い合わせください。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "ユーザーID"
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})

    def get_invalid_login_error(self):
        failure = failure_of(self.request)
        if failure and failure["reason"] == "directory_unreachable":
            return ValidationError(DIRECTORY_UNREACHABLE, code="directory_unreachable")
        return super().get_invalid_login_error()

    @property
    def directory_button(self) -> str:
        """「…でログイン」 when the city's OIDC provider is configured, else empty."""
        return f"{settings.TSUNAGU_OIDC_LABEL}でログイン" if settings.TSUNAGU_OIDC_ENABLED else ""

    @property
    def directory_failure(self) -> str:
        """Why the last directory sign-in came back refused (the provider sent the browser here)."""
        if self.request is None or self.request.GET.get("sso") != "failed":
            return ""
        reason = self.request.GET.get("reason", "")
        if reason in {
            "unknown_user",
            "inactive",
            "service_account",
            "not_in_group",
            "ambiguous",
            "no_username",
        }:
            return (
                f"{settings.TSUNAGU_OIDC_LABEL}でのログインはできません"
                f"（{FAILURE_REASONS[reason]}）。管理者にお問い合わせください。"
            )
        if reason == "provider_unreachable":
            return "認証基盤に接続できませんでした。しばらくしてから再度お試しください。"
        return (
            f"{settings.TSUNAGU_OIDC_LABEL}でのログインを完了できませんでした。"
            "もう一度「ログイン」を押してください。"
        )


DIRECTORY_UNREACHABLE = (
    "庁内ディレクトリに接続できず、パスワードを確認できませんでした。"
    "しばらくしてから再度お試しいただくか、管理者にお問い合わせください。"
)
