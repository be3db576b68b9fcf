"""Reusable widgets: Jalali date editor, Persian number editors."""
