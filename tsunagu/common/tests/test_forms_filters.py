import datetime

import pytest
from django import forms
from django.template import Context, Template

from tsunagu.common.forms import WarekiDateField


class BirthForm(forms.Form):
    birth_date = WarekiDateField(label="生年月日")


@pytest.mark.parametrize("text", ["昭和55年3月1日", "S55.3.1", "1980-03-01", "１９８０／３／１"])
def test_wareki_field_accepts_every_form(text):
    form = BirthForm({"birth_date": text})
    assert form.is_valid()
    assert form.cleaned_data["birth_date"] == datetime.date(1980, 3, 1)


def test_wareki_field_rejects_impossible_dates_in_japanese():
    form = BirthForm({"birth_date": "平成31年5月1日"})
    assert not form.is_valid()
    assert "存在しません" in form.errors["birth_date"][0]


def test_wareki_widget_shows_stored_date_in_wareki():
    form = BirthForm(initial={"birth_date": datetime.date(2019, 5, 1)})
    assert 'value="令和元年5月1日"' in str(form["birth_date"])


def test_template_filters():
    tpl = Template("{{ d|wareki }}|{{ d|wareki_seireki }}|{{ d|nendo }}|{{ none|wareki }}")
    out = tpl.render(Context({"d": datetime.date(2026, 3, 31), "none": None}))
    assert out == "令和8年3月31日|令和8年3月31日（2026年）|令和7年度|"
