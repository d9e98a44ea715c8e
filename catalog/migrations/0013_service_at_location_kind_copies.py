"""Each link of a service to a center carries a copy of the service's kind and of whether
residents see it, so that a center's kind counts read one index of its own links (issue 14:
a center of 30,000 services), filled here for the links there are.

The fill states the visibility rule (``VISIBLE_STATUSES``) as it is when this migration was
written (a migration must not depend on code that may change after it); from here on,
``catalog.models.services.store_link_copies`` keeps the columns."""

from django.db import migrations, models
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery


def fill(apps, schema_editor):
    Service = apps.get_model("catalog", "Service")
    ServiceAtLocation = apps.get_model("catalog", "ServiceAtLocation")
    service = Service.objects.filter(pk=OuterRef("service_id"))
    visible = ExpressionWrapper(
        Q(status__in=["active", "temporarily closed", "inactive"]), output_field=BooleanField()
    )
    ServiceAtLocation.objects.update(
        service_kind=Subquery(service.values("kind")[:1]),
        service_visible=Subquery(service.annotate(v=visible).values("v")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_service_facet_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceatlocation",
            name="service_kind",
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name="serviceatlocation",
            name="service_visible",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="serviceatlocation",
            index=models.Index(
                condition=models.Q(("service_visible", True)),
                fields=["location", "service_kind", "service"],
                name="catalog_sal_location_kinds",
            ),
        ),
    ]
