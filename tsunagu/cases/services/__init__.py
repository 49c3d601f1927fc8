"""The cases app's writes, one module per topic; every public function is also
reachable here (``from tsunagu.cases import services``), except the page panels, which the
app registers in ``CasesConfig.ready()``.
"""

from .activity import (  # noqa: F401
    AUDITED_FIELDS,
    SUMMARY_MAX,
    activity_mark_seen,
    activity_record,
)
from .assessment import (  # noqa: F401
    REQUIRED_ONE_OF,
    assessment_record,
)
from .case import (  # noqa: F401
    case_open_from_referral,
    case_transition,
    move_case,
    require_coordinating,
)
from .consent import (  # noqa: F401
    ADULT_AGE,
    consent_record,
    consent_subjects,
    consent_withdraw,
    is_minor,
    person_consent,
)
from .monitoring import (  # noqa: F401
    monitoring_record,
    monitoring_start,
)
from .plan import (  # noqa: F401
    plan_create,
    plan_item_add,
    plan_item_remove,
    plan_report_record,
    plan_update,
    support_decision_make,
)
from .team import (  # noqa: F401
    ensure_team_member,
    team_add,
    team_leave,
)
