"""The starter synonym sets, which editors then keep in the admin:

- ``search/seed/synonyms.txt``: words residents use for the same thing (修, 维修, 修理);
- ``search/seed/lexicon.tsv``: how residents name needs (水管漏了, 老人没人照顾), each with
  the catalog topic that answers it, and the everyday names of cards, certificates and
  allowances (老年证, 医保卡), each with its public source (``lexicon_sources.tsv``;
  ``search/seed/README.md``).

Loaded by data migrations on a new database (0003: the synonyms; 0009: the lexicon, which
needs the sets' topic and source; 0013: the lines added to the lexicon since, for databases
that ran 0009 before) and by ``load_demo`` and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent / "seed"
SYNONYM_SEED = SEED_DIR / "synonyms.txt"
LEXICON = SEED_DIR / "lexicon.tsv"
LEXICON_SOURCES = SEED_DIR / "lexicon_sources.tsv"
#: The taxonomy whose codes the lexicon's topic column names (catalog/taxonomy_seed.py).
TOPIC_TAXONOMY = "jiamenkou-topic"
NO_TOPIC = "-"


@dataclass(frozen=True)
class LexiconEntry:
    """One line of the lexicon: ``terms`` as stored in ``SynonymSet.terms``, the topic's
    code (empty: none) and the source as editors read it."""

    terms: str
    topic: str
    source: str
    line: int

    @property
    def head(self) -> str:
        """The first word, which names the set (unique in the lexicon)."""
        return self.terms.split("，", 1)[0]


def _terms(text: str) -> str:
    return "，".join(split_terms(text.replace(",", "，")))


def split_terms(text: str) -> list[str]:
    """The words of a set as stored (separated by "，"), in order, once each."""
    return list(dict.fromkeys(term.strip() for term in text.split("，") if term.strip()))


def _data_lines(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            yield number, line


def seed_synonym_sets() -> list[str]:
    """One string of terms per set of synonyms.txt, as stored in ``SynonymSet.terms``."""
    if not SYNONYM_SEED.exists():
        return []
    sets = [_terms(line) for _, line in _data_lines(SYNONYM_SEED)]
    return [terms for terms in sets if "，" in terms]


def lexicon_sources() -> dict[str, str]:
    """Source key → the source's name, from lexicon_sources.tsv."""
    sources = {}
    for number, line in _data_lines(LEXICON_SOURCES):
        key, _, text = line.partition("\t")
        if not key.strip() or not text.strip():
            raise ValueError(f"{LEXICON_SOURCES.name}:{number}: expected “key<TAB>source”")
        sources[key.strip()] = text.strip()
    return sources


def lexicon_entries() -> list[LexiconEntry]:
    """The lexicon's sets. Raises ``ValueError`` (file and line) for a line that is not
    three columns, has fewer than two terms, names an unknown source or begins with the
    same word as another line."""
    if not LEXICON.exists():
        return []
    sources = lexicon_sources()
    entries, heads = [], {}
    for number, line in _data_lines(LEXICON):
        where = f"{LEXICON.name}:{number}"
        columns = line.split("\t")
        if len(columns) != 3:
            raise ValueError(f"{where}: expected three tab-separated columns, got {len(columns)}")
        terms, topic, source = (column.strip() for column in columns)
        terms = _terms(terms)
        if "，" not in terms:
            raise ValueError(f"{where}: a set needs at least two terms")
        if source not in sources:
            raise ValueError(f"{where}: unknown source {source!r} (see {LEXICON_SOURCES.name})")
        topic = "" if topic == NO_TOPIC else topic
        entry = LexiconEntry(terms, topic, sources[source], number)
        if entry.head in heads:
            raise ValueError(f"{where}: {entry.head} already begins line {heads[entry.head]}")
        heads[entry.head] = number
        entries.append(entry)
    return entries


def load_synonym_seed(synonym_model) -> int:
    """Add the seed sets that are not there yet: the synonyms, and the lexicon when the
    model has topics and sources (migration 0003 runs before they exist). An editor's sets
    are kept as they are; returns how many sets were added."""
    existing = set(synonym_model.objects.values_list("terms", flat=True))
    new = [terms for terms in seed_synonym_sets() if terms not in existing]
    synonym_model.objects.bulk_create([synonym_model(terms=terms) for terms in new])
    added = len(new)
    fields = {field.name for field in synonym_model._meta.get_fields()}
    if {"topic", "source"} <= fields:
        added += load_lexicon(synonym_model)
    return added


def load_lexicon(synonym_model) -> int:
    """Add the lexicon's sets that are not there yet: neither a set with the same terms nor
    one with a source holding the set's first word (an editor's version of it). A set with
    the same terms and no source (a starter set from before the lexicon) gets the lexicon's
    source, and its topic if it has none. Running it again changes nothing."""
    topic_model = synonym_model._meta.get_field("topic").related_model
    topics = dict(
        topic_model.objects.filter(taxonomy__name=TOPIC_TAXONOMY).values_list("code", "pk")
    )
    entries = lexicon_entries()
    lines = {entry.terms for entry in entries}
    existing = {row.terms: row for row in synonym_model.objects.all()}
    # A lexicon set an editor has changed still holds its first word and its source. A set
    # that is another line as the file has it is that line, not an edited version of this
    # one (老年卡's line also holds 老年证, the first word of another line).
    kept_heads = {
        term
        for row in existing.values()
        if row.source and row.terms not in lines
        for term in split_terms(row.terms)
    }
    new = []
    for entry in entries:
        topic_id = topics.get(entry.topic)
        current = existing.get(entry.terms)
        if current is None and entry.head in kept_heads:
            continue
        if current is None:
            row = synonym_model(terms=entry.terms, topic_id=topic_id, source=entry.source)
            new.append(row)
            existing[entry.terms] = row
            continue
        if not current.source and current.pk is not None:
            # A starter set from before the lexicon (synonyms.txt once had the cards):
            # it learns where its words come from, once.
            current.source = entry.source
            current.topic_id = current.topic_id or topic_id
            current.save(update_fields=["source", "topic"])
    synonym_model.objects.bulk_create(new)
    return len(new)
