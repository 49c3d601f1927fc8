"""名寄せ reads: :mod:`.review` (the review queue, a pair side by side, merges).

Import from the topic module; nothing is re-exported here.
"""
