import pytest
from django.urls import reverse

from tsunagu.common.text import TEXT_MAX_LENGTH

pytestmark = pytest.mark.django_db


def test_a_text_too_long_is_an_error_on_the_admin_form(login, personas, agencies):
    client = login(personas["admin"])
    agency = agencies["housing"]
    url = reverse("admin:accounts_agency_change", args=[agency.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "area": agency.area_id,
            "description": "あ" * (TEXT_MAX_LENGTH + 1),
            "programs-TOTAL_FORMS": "0",
            "programs-INITIAL_FORMS": "0",
            "programs-MIN_NUM_FORMS": "0",
            "programs-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "長すぎます" in errors["description"][0]
    agency.refresh_from_db()
    assert agency.description == ""
    data["description"] = "あ" * TEXT_MAX_LENGTH
    assert client.post(url, data).status_code == 302
    agency.refresh_from_db()
    assert len(agency.description) == TEXT_MAX_LENGTH
