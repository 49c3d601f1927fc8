"""Meeting pickers name people and cases as the users know them."""

from tsunagu.meetings import selectors, services
from tsunagu.meetings.forms import AttendanceForm


def test_member_picker_shows_display_name_and_agency_not_the_login_id(personas, conference):
    labels = dict(selectors.member_user_choices(conference))
    label = labels[personas["desk"].membership.pk]
    assert label.startswith("desk さん（地域包括支援センター中央・")
    personas["desk"].user.display_name = "佐藤 花子"
    personas["desk"].user.save()
    labels = dict(selectors.member_user_choices(conference))
    assert labels[personas["desk"].membership.pk].startswith("佐藤 花子（地域包括支援センター中央")


def test_attendance_picker_names_the_agency(personas, conference):
    member = services.member_add(
        by=personas["coordinator"].user, meeting=conference, user=personas["desk"].user
    )
    form = AttendanceForm(members=conference.members.all())
    assert (member.pk, "desk さん（地域包括支援センター中央）") in form.fields["attended"].choices


def test_agenda_case_picker_names_household_and_person(personas, consented_case):
    labels = dict(selectors.agenda_case_choices(personas["coordinator"].user))
    assert labels[consented_case.pk] == (
        f"事例 #{consented_case.pk} 山田世帯（本人 山田 フミ）・インテーク（利用申込・同意の確認）"
    )
    # a user who may not see the case gets no choice at all
    assert consented_case.pk not in dict(selectors.agenda_case_choices(personas["unrelated"].user))
