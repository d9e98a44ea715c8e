"""Import full HSDS 3.1 service records, atomically.

Two passes: ``catalog.hsds.reader`` checks every record and turns it into rows to write,
collecting every problem with its JSON path; only a file without problems reaches
``catalog.hsds.writer.write``, inside one transaction. Ids are kept, so importing the same
file twice updates the same rows in place.

Both passes scale to files of 100,000 records (1.5 GB): ``catalog.hsds.stream.iter_records``
streams a file written one record per line without loading it whole, the reader keeps only
the field values it will write, and the writer saves them model by model in batches (a
fixed number of queries per thousand services), then brings Wagtail's indexes up to date
in bulk (``catalog.hsds.indexes``), as the per-row save signals used to.
"""

from collections.abc import Callable, Iterable

from catalog.hsds.problems import HsdsImportError
from catalog.hsds.reader import read_records
from catalog.hsds.writer import ImportSummary, write


def import_services(
    records: Iterable, *, progress: Callable[[int, int], None] | None = None
) -> ImportSummary:
    """Check every record, then save all of them or, on any problem, nothing.

    ``records`` is a list or any iterable (``iter_records(path)`` for a big file); it is
    read once. ``progress(saved, total)`` is called as services are saved."""
    reader, services = read_records(records)
    if reader.problems:
        raise HsdsImportError(reader.problems)
    return write(reader, services, progress=progress)
