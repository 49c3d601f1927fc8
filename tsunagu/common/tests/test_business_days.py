import datetime

import pytest

from tsunagu.common.business_days import add_office_days, holiday_name, is_office_day

D = datetime.date


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 11, 20), 3, D(2026, 11, 26)),  # Fri → skips the weekend and 勤労感謝の日 (Mon 23)
        (D(2026, 11, 22), 3, D(2026, 11, 26)),  # sent on a Sunday
        (D(2026, 4, 30), 3, D(2026, 5, 8)),  # ゴールデンウィーク incl. 振替休日 (May 6)
        (D(2026, 12, 25), 3, D(2027, 1, 5)),  # Fri → Mon 28, then 年末年始 12/29–1/3, Jan 4, 5
        (D(2026, 9, 18), 1, D(2026, 9, 24)),  # シルバーウィーク 9/21–23
        (D(2026, 11, 24), 0, D(2026, 11, 24)),
    ],
)
def test_add_office_days(start, days, due):
    assert add_office_days(start, days) == due


def test_holiday_names_are_japanese():
    assert holiday_name(D(2026, 11, 23)) == "勤労感謝の日"
    assert holiday_name(D(2026, 12, 30)) == "年末年始"
    assert holiday_name(D(2026, 11, 24)) is None
    assert not is_office_day(D(2026, 11, 28))  # Saturday


def test_negative_days_refused():
    with pytest.raises(ValueError, match="negative"):
        add_office_days(D(2026, 1, 5), -1)
