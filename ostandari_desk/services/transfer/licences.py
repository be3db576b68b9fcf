"""The «پروانه‌ها» sheet: an NGO's whole licence history, one step a row, oldest first (IMPORT_TEMPLATES.md).

The rows tell a case from its request to its end (the request with its type, the documents checked, each of
the four inquiries sent and answered with its agency and result, the council's decision with its meeting
date and legal basis), the licences and credentials issued, renewed or upgraded, and every rung of the
sanctions ladder. ``licences_sheet`` holds the columns and reads a row's cells; ``licences_apply`` applies
the rows through the licence services (``licences_steps``), so the lifecycle's rules hold for imports too
(with the exception for an NGO's first imported step); ``licences_export`` writes the stored history back
under the same headers, so an export re-imports.
"""

from __future__ import annotations

from ostandari_desk.services.transfer.base import TransferKind
from ostandari_desk.services.transfer.licences_apply import import_rows
from ostandari_desk.services.transfer.licences_export import export_rows
from ostandari_desk.services.transfer.licences_sheet import COLUMNS

__all__ = ["COLUMNS", "KIND"]

KIND = TransferKind(
    name="licences",
    title="پروانه‌ها",
    unit="اقدام",
    table="licencestep",
    columns=COLUMNS,
    importer=import_rows,
    exporter=export_rows,
)
