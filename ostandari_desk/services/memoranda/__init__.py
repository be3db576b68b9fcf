"""Memoranda (تفاهم‌نامه‌ها) and the credit paid against their progress; the facilitation offices they fund.

- memoranda.py: the register — one input and one validator (the dialog's and the ``memoranda`` importer's),
  saving with versions, states, the list page, a memorandum's detail with its ledger.
- progress.py: progress reports (never going backwards), with scans through services/attachments (PROGRESS).
- payments.py: tranches under the release rule (domain/memoranda.py, thresholds in settings), and
  ``why_not_payable`` for the payment dialog.
- offices.py: the facilitation offices register; credits.py: credits by county (the fairness view) and the
  start page's memoranda summary.

A memorandum is county-owned (None: the province); its progress reports, payments and scans belong to its
county through it.
"""
