"""Tests of the PDF reports and the Persian text pipeline."""
