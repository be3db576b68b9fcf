"""Use cases over a unit of work; no Qt."""
