from django.db import migrations

from tsunagu.common.search_backend import trigram_index_operations

forwards, backwards = trigram_index_operations(
    "people_person",
    {"person_key_name_trgm": "key_name", "person_key_kana_trgm": "key_kana"},
)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
