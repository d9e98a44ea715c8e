"""The starter synonym sets (search/seed/synonyms.txt), which editors then keep in the
admin. Loaded by a data migration on a new database and by ``load_demo``."""

from __future__ import annotations

from pathlib import Path

SYNONYM_SEED = Path(__file__).resolve().parent / "seed" / "synonyms.txt"


def seed_synonym_sets() -> list[str]:
    """One string of terms per set, as stored in ``SynonymSet.terms``."""
    if not SYNONYM_SEED.exists():
        return []
    sets = []
    for line in SYNONYM_SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            terms = [term.strip() for term in line.replace(",", "，").split("，") if term.strip()]
            if len(terms) > 1:
                sets.append("，".join(terms))
    return sets


def load_synonym_seed(synonym_model) -> int:
    """Add the seed sets that are not there yet (an editor's edits are kept)."""
    existing = set(synonym_model.objects.values_list("terms", flat=True))
    new = [terms for terms in seed_synonym_sets() if terms not in existing]
    synonym_model.objects.bulk_create([synonym_model(terms=terms) for terms in new])
    return len(new)
