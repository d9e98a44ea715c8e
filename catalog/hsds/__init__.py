"""HSDS 3.1 interchange: full service records in (``importer``) and out (``exporter``)."""

from catalog.hsds.exporter import export_services
from catalog.hsds.importer import (
    HsdsImportError,
    ImportSummary,
    Problem,
    import_services,
    parse_json,
)

__all__ = [
    "HsdsImportError",
    "ImportSummary",
    "Problem",
    "export_services",
    "import_services",
    "parse_json",
]
