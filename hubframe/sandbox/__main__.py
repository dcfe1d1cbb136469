"""``python -m hubframe.sandbox``."""

from hubframe.sandbox.serve import main

raise SystemExit(main())
