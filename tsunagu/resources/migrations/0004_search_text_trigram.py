from django.db import migrations

from tsunagu.common.search_backend import trigram_index_operations

# the search's words (``search_text LIKE '%…%'``, three characters or more) from an index on
# PostgreSQL instead of reading every resource
forwards, backwards = trigram_index_operations(
    "resources_resource", {"resource_search_text_trgm": "search_text"}
)


class Migration(migrations.Migration):
    dependencies = [("resources", "0003_search_order_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
