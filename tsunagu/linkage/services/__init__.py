"""名寄せ writes: :mod:`.review` (candidate pairs and their review), :mod:`.merge` (reversible
merges of persons), :mod:`.shared` (what both check) and :mod:`.imports` (the steps of a CSV
import).

Import from the topic module (``tsunagu.linkage.services.review`` …); nothing is re-exported
here.
"""
