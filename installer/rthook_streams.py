"""PyInstaller runtime hook: a windowed (console=False) Windows executable starts with sys.stdout and
sys.stderr set to None; give them a sink so a print or logging.StreamHandler never raises there."""

import os
import sys

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives for the process
