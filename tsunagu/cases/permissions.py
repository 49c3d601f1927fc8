import rules

from tsunagu.consultations.permissions import handles_cases, may_view

rules.add_perm("cases.use", handles_cases)
rules.add_perm("cases.view_case", may_view)
