from django import forms

from tsunagu.accounts.models import Agency
from tsunagu.common.forms import WarekiDateField


class EventFilterForm(forms.Form):
    action = forms.CharField(label="操作", required=False, max_length=64)
    actor = forms.CharField(label="操作者ID", required=False, max_length=150)
    agency = forms.ModelChoiceField(
        label="所属機関", required=False, queryset=Agency.objects.all(), empty_label="すべて"
    )
    person = forms.IntegerField(label="本人ID", required=False, min_value=1)
    date_from = WarekiDateField(label="期間（から）", required=False)
    date_to = WarekiDateField(label="期間（まで）", required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("期間の開始日が終了日より後になっています。")
        return cleaned
