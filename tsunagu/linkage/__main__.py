"""``python -m tsunagu.linkage link INPUT.csv … --output clusters.csv``.

See :mod:`tsunagu.linkage.cli`.
"""

from tsunagu.linkage.cli import main

raise SystemExit(main())
