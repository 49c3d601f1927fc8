from django.db import migrations

from tsunagu.common.search_backend import trigram_index_operations

forwards, backwards = trigram_index_operations(
    "consultations_consultation", {"consultation_summary_trgm": "(UPPER(summary))"}
)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_issue_categories")]

    operations = [migrations.RunPython(forwards, backwards)]
