"""Two things that let a broad search (养老: a third of the catalog) be answered quickly.

``SearchEntry.facet_key``: a 64-bit hash of the entry's facet values. The database backend
counts its matches by this integer (one per combination of facet values) and unpacks the
values of each combination once, instead of grouping every match by its JSON.

PostgreSQL only, ``search_head``: the tokens of the name (weight A), the keywords and the
pinyin (B) as a ``tsvector`` of their own, small and kept in the row, with a GIN index.
The backend ranks the matches whose name, keywords or pinyin match by it, without reading
the whole vector of every match; matches only in the description come after them (their
full vector is read only when the page reaches them).

On SQLite the column is added with ALTER TABLE (no table rebuild, which would drop the
FTS5 triggers of 0002), and filled here; nothing else changes there.
"""

import hashlib
import json

from django.db import migrations, models

#: The same key ``search.backends.database.facet_key`` computes for new entries.
POSTGRES_FILL = (
    "UPDATE search_searchentry SET facet_key = "
    "('x' || substr(md5(facet_values::text), 1, 16))::bit(64)::bigint"
)
POSTGRES_FORWARD = [
    """
    ALTER TABLE search_searchentry ADD COLUMN search_head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name_tokens), 'A')
        || setweight(to_tsvector('simple', keyword_tokens), 'B')
        || setweight(to_tsvector('simple', pinyin_tokens), 'B')
    ) STORED
    """,
    "ALTER TABLE search_searchentry ALTER COLUMN search_head SET STORAGE MAIN",
    "CREATE INDEX search_entry_head ON search_searchentry USING GIN (search_head)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_head",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_head",
]


def key_of(text: str) -> int:
    values = json.loads(text) if isinstance(text, str) else text
    digest = hashlib.md5(json.dumps(values, ensure_ascii=False).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def fill_keys(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FILL)
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, facet_values FROM search_searchentry")
        by_key: dict[int, list[int]] = {}
        for pk, values in cursor.fetchall():
            by_key.setdefault(key_of(values), []).append(pk)
        for key, ids in by_key.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    "UPDATE search_searchentry SET facet_key = %s "
                    f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    [key, *chunk],
                )


def head_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement)


def head_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0010_querylog_corrected_query")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="facet_key",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(head_forward, head_backward),
    ]
