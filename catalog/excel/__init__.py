"""Excel (.xlsx) template, export and upload of the service catalog, for editors.

``columns`` defines the sheet, ``workbook`` writes and reads the file, ``importer``
checks and saves an upload; ``views`` and ``hooks`` put them in the Wagtail admin.
"""

from catalog.excel.importer import import_workbook, read_workbook
from catalog.excel.problems import ExcelImportError, ExcelImportSummary, ExcelProblem
from catalog.excel.workbook import build_workbook, service_queryset, workbook_bytes

__all__ = [
    "ExcelImportError",
    "ExcelImportSummary",
    "ExcelProblem",
    "build_workbook",
    "import_workbook",
    "read_workbook",
    "service_queryset",
    "workbook_bytes",
]
