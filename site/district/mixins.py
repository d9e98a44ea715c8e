"""Abstract field groups shared by pages; each brings its own panels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel


class BasicFiguresMixin(models.Model):
    """The base data every center must publish (基础数据必有)."""

    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    residents = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    grids = models.PositiveIntegerField(_("网格数"), null=True, blank=True)
    figures_as_of = models.DateField(_("数据截至"), null=True, blank=True)

    figures_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("households"), FieldPanel("residents"), FieldPanel("grids")]
                ),
                FieldPanel("figures_as_of"),
            ],
            heading=_("基础数据"),
        )
    ]

    class Meta:
        abstract = True

    @property
    def has_figures(self) -> bool:
        return any(v is not None for v in (self.households, self.residents, self.grids))
