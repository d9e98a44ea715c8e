"""The rows an import writes (``Entity``), and what reading and writing both need:
looking ids up in batches, and building many objects with the cyclic collector paused."""

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

# Rows per INSERT/upsert batch, and services per write round (all their rows together).
BATCH_SIZE = 1000
# Ids per ``IN (…)`` lookup: below SQLite's 999 variables.
LOOKUP_BATCH = 900


@dataclass(slots=True)
class Entity:
    """One row to write: its model, field values and child rows."""

    model: type
    values: dict
    children: dict[str, list["Entity"]] = field(default_factory=dict)
    many: dict[str, list] = field(default_factory=dict)
    path: str = ""


@contextmanager
def gc_paused():
    """Build many long-lived objects without the cyclic collector rescanning them all
    again and again (it took over half of the reading time); they hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def existing_ids(model, ids: Iterable) -> set:
    found = set()
    for batch in batches(ids, LOOKUP_BATCH):
        found.update(model._base_manager.filter(pk__in=batch).values_list("pk", flat=True))
    return found
