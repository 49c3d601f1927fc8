import rules

from tsunagu.people.permissions import handles_cases, may_view

# Pages and endpoints of 包括的相談支援 (object access: tsunagu.access)
rules.add_perm("consultations.use", handles_cases)
rules.add_perm("consultations.view_consultation", may_view)
rules.add_perm("consultations.view_referral", may_view)

# Configuration in the admin site: the category list, the help-desk table and the criteria
# wording belong to the system administrator (and never any consultation itself).
from tsunagu.accounts.permissions import is_system_admin  # noqa: E402

for _model in ("issuecategory", "helpdeskroute", "eligibilitycriteria"):
    for _action in ("view", "add", "change"):
        rules.add_perm(f"consultations.{_action}_{_model}", is_system_admin)
rules.add_perm("consultations.delete_helpdeskroute", is_system_admin)
rules.add_perm("consultations", is_system_admin)
