"""Trigram indexes on the search entries' whole name and reading (PostgreSQL), so that an
agency's search of three characters or more (佐々木, サトウ) reads the matches among its own
entries: the database combines the trigram index with the agency's index instead of joining
every match in the city with the agency's grants."""

from django.db import migrations

from tsunagu.common.search_backend import trigram_index_operations

forwards, backwards = trigram_index_operations(
    "grants_searchentry",
    {"search_entry_name_trgm": "key_name", "search_entry_kana_trgm": "key_kana"},
)


class Migration(migrations.Migration):
    dependencies = [("grants", "0004_search_entries")]

    operations = [migrations.RunPython(forwards, backwards)]
