"""The search and lookup keys stored on a person, from its name, reading, address and phones.

Pure functions over strings: this module imports no models, so ``people.Person`` derives its
keys here without importing the lookup or anything else that needs the person model.
"""

from __future__ import annotations

from collections.abc import Iterable

from tsunagu.linkage.address import normalize_address
from tsunagu.linkage.normalize import NameKeys, name_keys, normalize_phone
from tsunagu.linkage.variants import fold_variants

__all__ = ["NameKeys", "name_keys", "stored_keys"]


def stored_keys(*, name_key: str, address: str, phones: Iterable[str]) -> dict[str, str]:
    """The lookup keys stored on a person beside the name keys (see ``Person``);
    ``name_key`` is the person's :func:`~tsunagu.linkage.normalize.name_keys` name key."""
    address_keys = normalize_address(address or "")
    tels = dict.fromkeys(t for t in (normalize_phone(p) for p in phones) if t)
    return {
        "key_name_loose": fold_variants(name_key, loose=True),
        "key_address": address_keys.base,
        "key_building": address_keys.building,
        "key_phones": " ".join(tels),
    }
