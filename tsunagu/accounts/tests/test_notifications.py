"""お知らせ: created once per key, listed only to their recipient (on the page, in the navbar
count and over the API), marked read by the page and the API; anyone else gets 404."""

import pytest
from django.urls import reverse

from tsunagu.accounts import services
from tsunagu.accounts.models import Notification

pytestmark = pytest.mark.django_db

MESSAGE = "事例 #12 のモニタリングの予定日 令和8年7月1日（あと11日）"


@pytest.fixture
def notice(personas):
    notification, created = services.notification_notify(
        recipient=personas["coordinator"].user,
        kind="monitoring_due",
        message=MESSAGE,
        url="/cases/12/monitoring/",
        key="monitoring:12:monitoring:2026-07-01:due",
    )
    assert created
    return notification


def test_notify_is_idempotent_per_key(personas, notice):
    again, created = services.notification_notify(
        recipient=personas["coordinator"].user,
        kind="monitoring_due",
        message=MESSAGE,
        key="monitoring:12:monitoring:2026-07-01:due",
    )
    assert not created and again.pk == notice.pk
    assert Notification.objects.count() == 1


def test_navbar_counts_unread_and_the_page_marks_them_read(login, personas, notice):
    client = login(personas["coordinator"])
    home = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="notification-unread">1<' in home
    page = client.get(reverse("accounts:notification_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert MESSAGE in html and "新着" in html
    assert 'href="/cases/12/monitoring/"' in html
    notice.refresh_from_db()
    assert notice.read_at is not None
    home = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="notification-unread"' not in home
    assert "新着" not in client.get(reverse("accounts:notification_list")).content.decode()


@pytest.mark.parametrize("name", ["desk", "officer", "unrelated"])
def test_others_see_none_of_it(login, personas, notice, name):
    client = login(personas[name])
    html = client.get(reverse("accounts:notification_list")).content.decode()
    assert MESSAGE not in html and "お知らせはありません。" in html
    assert (
        'data-testid="notification-unread"' not in client.get(reverse("dashboard")).content.decode()
    )
    assert client.get("/api/v1/notifications").json()["items"] == []
    response = client.post(f"/api/v1/notifications/{notice.pk}/read")
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_api_lists_and_marks_read(login, personas, notice):
    client = login(personas["coordinator"])
    (item,) = client.get("/api/v1/notifications", {"unread": True}).json()["items"]
    assert item["message"] == MESSAGE
    assert item["kind_label"] == "モニタリング・評価の予定"
    assert item["url"] == "/cases/12/monitoring/"
    assert item["read_at"] is None
    response = client.post(f"/api/v1/notifications/{notice.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.get("/api/v1/notifications", {"unread": True}).json()["items"] == []
    assert len(client.get("/api/v1/notifications").json()["items"]) == 1
    assert client.post("/api/v1/notifications/read").json() == {"marked": 0}


def test_api_marks_all_read(login, personas, notice):
    client = login(personas["coordinator"])
    assert client.post("/api/v1/notifications/read").json() == {"marked": 1}
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_the_page_needs_sign_in(client):
    response = client.get(reverse("accounts:notification_list"))
    assert response.status_code == 302
