import rules

from tsunagu.accounts.permissions import is_municipal_officer

# The access history concerns persons; the program office reviews it.
rules.add_perm("audit.view_log", is_municipal_officer)
