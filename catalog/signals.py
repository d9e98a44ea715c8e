"""Signals the catalog sends beyond Django's own."""

from django.dispatch import Signal

#: Sent with ``service_ids`` after a bulk write (the HSDS importer) that sent no row signals.
services_written = Signal()
