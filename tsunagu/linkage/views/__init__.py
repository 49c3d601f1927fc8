"""名寄せ screens: :mod:`.review` (the review queue, a pair side by side, merges and their
undo) and :mod:`.imports` (CSV import), with what every screen shares in :mod:`.base`.
``tsunagu.linkage.urls`` routes to both.
"""
