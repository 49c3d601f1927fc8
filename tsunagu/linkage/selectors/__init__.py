"""名寄せ reads: :mod:`.review` (the review queue, a pair side by side, merges) and
:mod:`.imports` (the CSV imports a user may see, their rows, outcomes and progress).

Import from the topic module; nothing is re-exported here.
"""
