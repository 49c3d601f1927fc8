"""The cases app's reads, one module per topic; every public function is also
reachable here (``from tsunagu.cases import selectors``), except the page panels, which the
app registers in ``CasesConfig.ready()``.
"""

from .activity import (  # noqa: F401
    activity_list,
    contact_attempts,
    only_unseen,
    own_agency_only,
    recording_agencies,
    unseen_count,
    unseen_for,
)
from .assessment import (  # noqa: F401
    TAX_WITHHELD,
    SectionCard,
    assessment_get,
    assessment_versions,
    is_assessable,
    section_cards,
    withheld_sections,
)
from .case import (  # noqa: F401
    case_content_visible,
    case_get,
    case_list,
    current_team,
    get_case_for_user,
    mark_subjects,
    own_plan_items,
    require_manager,
    subject_person_ids,
)
from .consent import (  # noqa: F401
    CONSENT_GIVEN,
    CONSENT_LABELS,
    CONSENT_NONE,
    CONSENT_WITHDRAWN,
    consent_state,
    consent_warning,
    consent_warnings,
    current_consent,
    current_consents,
    mark_team_consent,
    with_consent_state,
)
from .monitoring import (  # noqa: F401
    DUE,
    KIND_ORDER,
    OVERDUE,
    STATE_LABELS,
    UPCOMING,
    Due,
    add_months,
    current_plan,
    due_dates,
    due_for_user,
    due_state,
    dues_for_cases,
    dues_needing_reminders,
    evaluation_months,
    monitoring_months,
    notice_days,
)
from .plan import (  # noqa: F401
    PATTERN_TEXT,
    get_plan_for_user,
    next_step,
    pattern_of,
    plan_in_case,
    plans_of,
)
