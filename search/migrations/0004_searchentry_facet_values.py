"""SearchEntry.facet_values: each service's facet values in the index itself, so the
database backend filters and counts facets without joining the catalog.

On SQLite the column is added with ALTER TABLE: Django would rebuild the table to add a
NOT NULL column, and the rebuild drops the triggers that keep the FTS5 table of 0002 in
step. Entries indexed before this migration get their values from the catalog here, by
the same rules as ``search.documents.service_document``.
"""

from django.db import migrations, models

FREE_KINDS = {"government", "public_welfare"}


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE search_searchentry ADD COLUMN facet_values text NOT NULL "
            "DEFAULT '[]' CHECK (JSON_VALID(facet_values))"
        )
        return
    field = models.JSONField(default=list, blank=True)
    field.set_attributes_from_name("facet_values")
    schema_editor.add_field(apps.get_model("search", "SearchEntry"), field)
    # A search reads the vector (ranking) and the facet values of every match: kept in the
    # row (compressed) rather than out of line in TOAST, each costs no extra lookup.
    schema_editor.execute(
        "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET STORAGE MAIN, "
        "ALTER COLUMN facet_values SET STORAGE MAIN"
    )
    # lz4 decompresses several times faster than the default pglz, where the server has it.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        has_lz4 = cursor.fetchone() is not None
    if has_lz4:
        schema_editor.execute(
            "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET COMPRESSION lz4"
        )


def drop_column(apps, schema_editor):
    schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN facet_values")


def fill_facet_values(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    Service = apps.get_model("catalog", "Service")
    CostOption = apps.get_model("catalog", "CostOption")
    ServiceAtLocation = apps.get_model("catalog", "ServiceAtLocation")
    ServiceChannel = apps.get_model("catalog", "ServiceChannel")
    entries = list(SearchEntry.objects.filter(source="service").values_list("pk", "service_id"))
    for start in range(0, len(entries), 500):
        batch = dict(entries[start : start + 500])
        ids = list(batch.values())
        values = {pk: {} for pk in ids}

        def add(facet, rows):
            for service_id, value in rows:
                if value:
                    values[service_id].setdefault(facet, set()).add(value)

        kinds = dict(Service.objects.filter(pk__in=ids).values_list("pk", "kind"))
        add("kind", kinds.items())
        add("topic", Service.topics.through.objects.filter(service_id__in=ids).values_list(
            "service_id", "taxonomyterm__code"))
        add("audience", Service.audiences.through.objects.filter(service_id__in=ids).values_list(
            "service_id", "taxonomyterm__code"))
        add("center", ServiceAtLocation.objects.filter(service_id__in=ids).values_list(
            "service_id", "location__external_identifier"))
        add("channel", ServiceChannel.objects.filter(service_id__in=ids).values_list(
            "service_id", "channel"))
        charging = set(CostOption.objects.filter(service_id__in=ids, amount__gt=0).values_list(
            "service_id", flat=True))
        for pk, kind in kinds.items():
            if kind == "low_cost":
                cost = "low_cost"
            elif kind in FREE_KINDS or pk not in charging:
                cost = "free"
            else:
                cost = "market"
            values[pk]["cost"] = {cost}
        for entry_pk, service_id in batch.items():
            found = values.get(service_id, {})
            tokens = [
                f"{facet}:{value}"
                for facet in ("kind", "topic", "audience", "center", "cost", "channel")
                for value in sorted(found.get(facet, ()))
            ]
            SearchEntry.objects.filter(pk=entry_pk).update(facet_values=tokens)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_seed_synonyms"),
        ("catalog", "0006_seed_public_holidays_2026"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchentry",
                    name="facet_values",
                    field=models.JSONField(blank=True, default=list),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
        migrations.RunPython(fill_facet_values, migrations.RunPython.noop),
    ]
