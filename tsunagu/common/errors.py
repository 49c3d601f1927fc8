"""The errors a step of the program raises, whoever asked for it (a screen, the API, a command).

Model-free: every app may import it. Four answers, the same everywhere:

* ``django.core.exceptions.PermissionDenied``: the user may not take this step (API 403);
* :class:`NotVisible`: the step names a person, household or record the user may not see.
  Its existence is personal data too, so the answer is "not found" (API 404, never 403);
* :class:`RuleBroken`: a rule of the program refuses this step in the record's present
  state (a move the workflow does not allow, a pair already decided, a meeting not yet
  held …); the message names the rule (API 409);
* ``django.core.exceptions.ValidationError``: the input is wrong (API 422, by field).

A :class:`RuleBroken` is a ``ValidationError``, so a form shows it like any other error and
``except ValidationError`` still catches it. It may name fields (``RuleBroken({"plan": …})``)
and still answers 409: the input is well formed, the program's rule refuses it; the API
lists its fields under ``errors`` as it does for a 422. Each app names its own subclass
(``CaseTransitionError``, ``MeetingRuleError`` …) so that its callers can tell them apart.
"""

from django.core.exceptions import PermissionDenied, ValidationError


class RuleBroken(ValidationError):
    """A rule of the program refuses this step (the message names the rule)."""


class NotVisible(PermissionDenied):
    """The step names something the user may not see: answered as "not found"."""
