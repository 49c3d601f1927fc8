"""Japanese search and match keys for people: names, readings, dates of birth, phones.

Everything that turns a name, a reading (フリガナ), a date of birth or a phone
number into a comparable key lives here, so that the intake "is this person
already known?" check and batch record linkage compare records the same way.
The package is pure Python (standard library only) and has no Django models.
"""
