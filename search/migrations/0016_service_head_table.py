"""PostgreSQL only: ``search_service_head``, a narrow copy of each service entry's head.

A broad word or a need said in everyday words finds 20,000-38,000 of 100,000 services by
their name, keywords or pinyin. The first tier of the page ranks every one of them by its
head vector (``search_head``, migration 0011), and reading each from ``search_searchentry``
meant reading rows of some 3 KB (the tokens, the whole vector) for a vector of about
550 bytes. This table holds only what ranking and counting a head match need: the
entry's id, its service, its facet values and key, and the head vector (kept in the row,
with a GIN index of its own): rows of about 780 bytes at 100,000 services (77 MB against
253 MB), the same vectors, so the same ranks.

It is filled here from the entries already indexed (no reindexing), and kept in step with
``search_searchentry`` by triggers: statement-level ones on insert, update and delete
(with transition tables, so a bulk write is one statement each) and one on truncate. The
backend (``search.backends.database``) reads it; nothing writes it but the triggers.

On SQLite nothing changes (FTS5 ranks every match by bm25).
"""

from django.db import migrations

TABLE = "search_service_head"
COLUMNS = "id, service_id, facet_values, facet_key, search_head"
FROM_ENTRIES = f"SELECT {COLUMNS} FROM {{rows}} WHERE source = 'service'"

DELETE_OLD_ROWS = f"DELETE FROM {TABLE} WHERE id IN (SELECT id FROM old_rows);"
INSERT_NEW_ROWS = f"INSERT INTO {TABLE} ({COLUMNS}) {FROM_ENTRIES.format(rows='new_rows')};"
#: What each trigger on the entries does to the table (an update: its old rows out, its
#: new ones in).
TRIGGER_BODIES = {
    "insert": INSERT_NEW_ROWS,
    "delete": DELETE_OLD_ROWS,
    "update": f"{DELETE_OLD_ROWS}\n        {INSERT_NEW_ROWS}",
    "truncate": f"TRUNCATE {TABLE};",
}

POSTGRES_FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        id integer PRIMARY KEY,
        service_id uuid NOT NULL,
        facet_values jsonb NOT NULL,
        facet_key bigint,
        search_head tsvector NOT NULL
    )
    """,
    f"ALTER TABLE {TABLE} ALTER COLUMN search_head SET STORAGE MAIN",
    f"INSERT INTO {TABLE} ({COLUMNS}) " + FROM_ENTRIES.format(rows="search_searchentry"),
    f"CREATE INDEX search_service_head_vector ON {TABLE} USING GIN (search_head)",
    *(
        f"""
    CREATE FUNCTION search_service_head_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {body}
        RETURN NULL;
    END $$
    """
        for event, body in TRIGGER_BODIES.items()
    ),
    """
    CREATE TRIGGER search_service_head_insert AFTER INSERT ON search_searchentry
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_head_insert()
    """,
    """
    CREATE TRIGGER search_service_head_delete AFTER DELETE ON search_searchentry
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_head_delete()
    """,
    """
    CREATE TRIGGER search_service_head_update AFTER UPDATE ON search_searchentry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_head_update()
    """,
    """
    CREATE TRIGGER search_service_head_truncate AFTER TRUNCATE ON search_searchentry
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_head_truncate()
    """,
    f"ANALYZE {TABLE}",
]
POSTGRES_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS search_service_head_{event} ON search_searchentry"
        for event in ("insert", "delete", "update", "truncate")
    ),
    *(
        f"DROP FUNCTION IF EXISTS search_service_head_{event}()"
        for event in ("insert", "delete", "update", "truncate")
    ),
    f"DROP TABLE IF EXISTS {TABLE}",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0015_reseed_lexicon")]

    operations = [migrations.RunPython(run(POSTGRES_FORWARD), run(POSTGRES_BACKWARD))]
