"""Rules of the office in pure Python: Persian text, Jalali dates, check digits, the licence lifecycle."""
