"""Points from attendance: filled in by the ledger work (honors/ledger.py)."""
