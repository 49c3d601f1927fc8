"""名寄せ (record linkage): Japanese search and match keys, the "is this person known?" lookup,
batch linkage, the review of candidate pairs, reversible merges, and CSV import.

Model-free modules, importable from any app (and without Django settings):
:mod:`.keys`, :mod:`.normalize`, :mod:`.address`, :mod:`.variants` and :mod:`.surnames`
turn a name, a reading (フリガナ), a date of birth, an address or a phone number into a
comparable key, so that the intake check and batch linkage compare records the same way;
:mod:`.batch` links a population with Splink and :mod:`.cli` runs it
(``python -m tsunagu.linkage link``).

The rest follows the layers of every app: :mod:`.models`, :mod:`.permissions`,
:mod:`.services` (``review``, ``merge``, ``imports``), :mod:`.selectors` (``review``,
``imports``), :mod:`.forms`, :mod:`.views` (``review``, ``imports``), :mod:`.api` (one
router) and :mod:`.urls`; :mod:`.lookup` (the real-time lookup), :mod:`.csvfile` (reading an
agency system's CSV file) and :mod:`.matching` (the matching step of an import) serve them.

This module imports nothing, so that importing a key module loads no model.
"""
