from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import Field, Program


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
