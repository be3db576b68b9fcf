"""Ostandari Desk: the social and cultural affairs office's registry, on the desktop."""

__version__ = "0.1.0"
