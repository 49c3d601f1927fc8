"""名寄せ writes: :mod:`.review` (candidate pairs, their review and reversible merges) and
:mod:`.imports` (the steps of a CSV import).

Import from the topic module (``tsunagu.linkage.services.review`` …); nothing is re-exported
here.
"""
