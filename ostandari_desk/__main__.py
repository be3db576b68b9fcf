"""`python -m ostandari_desk` runs the same entry point as `ostandari-desk`."""

from ostandari_desk.cli import main

raise SystemExit(main())
