"""HSDS 3.1 interchange: full service records in and out.

In: ``stream`` (the file's records, streamed), ``reader`` (records checked and turned into
rows, every problem at its JSON path), ``writer`` (the rows saved in bulk, atomically),
``indexes`` (Wagtail's indexes kept up after a bulk write), tied together by ``importer``.
Out: ``exporter``. ``tabular``: the same records as a CSV data package, both ways.
"""

from catalog.hsds.exporter import export_services
from catalog.hsds.importer import import_services
from catalog.hsds.problems import HsdsImportError, Problem
from catalog.hsds.stream import iter_records, parse_json
from catalog.hsds.tabular import import_package, read_package, write_package
from catalog.hsds.writer import ImportSummary

__all__ = [
    "HsdsImportError",
    "ImportSummary",
    "Problem",
    "export_services",
    "import_package",
    "import_services",
    "iter_records",
    "parse_json",
    "read_package",
    "write_package",
]
