"""The database's own full-text index over SearchEntry's token columns.

SQLite: an FTS5 table whose content is search_searchentry, kept in step by triggers.
PostgreSQL: a generated tsvector column (name A, keywords and pinyin B, body D) with a GIN
index. Both read the tokens as the analyser wrote them (whitespace-separated), so no
database-side language configuration is involved.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_entry_fts USING fts5(
        name_tokens, keyword_tokens, body_tokens, pinyin_tokens,
        content='search_searchentry', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0"
    )
    """,
    """
    CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(rowid, name_tokens, keyword_tokens, body_tokens, pinyin_tokens)
        VALUES (new.id, new.name_tokens, new.keyword_tokens, new.body_tokens, new.pinyin_tokens);
    END
    """,
    """
    CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, name_tokens, keyword_tokens, body_tokens, pinyin_tokens)
        VALUES ('delete', old.id, old.name_tokens, old.keyword_tokens, old.body_tokens, old.pinyin_tokens);
    END
    """,
    """
    CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, name_tokens, keyword_tokens, body_tokens, pinyin_tokens)
        VALUES ('delete', old.id, old.name_tokens, old.keyword_tokens, old.body_tokens, old.pinyin_tokens);
        INSERT INTO search_entry_fts(rowid, name_tokens, keyword_tokens, body_tokens, pinyin_tokens)
        VALUES (new.id, new.name_tokens, new.keyword_tokens, new.body_tokens, new.pinyin_tokens);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_entry_fts",
]

POSTGRES_FORWARD = [
    """
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name_tokens), 'A')
        || setweight(to_tsvector('simple', keyword_tokens), 'B')
        || setweight(to_tsvector('simple', pinyin_tokens), 'B')
        || setweight(to_tsvector('simple', body_tokens), 'D')
    ) STORED
    """,
    "CREATE INDEX search_entry_vector ON search_searchentry USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
