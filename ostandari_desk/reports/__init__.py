"""Persian PDF reports from plain rows; no Qt widgets."""
