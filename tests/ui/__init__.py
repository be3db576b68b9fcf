"""Tests of the Qt interface (pytest-qt, offscreen)."""
