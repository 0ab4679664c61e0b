"""``python -m finmodel``: the same command line as ``finmodel``."""

import sys

from finmodel.cli import main

sys.exit(main())
