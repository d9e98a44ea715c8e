"""Admin of the district app: the notice categories (通知类别) as snippets, under 片段."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from district.models import NoticeCategory


class NoticeCategoryViewSet(SnippetViewSet):
    model = NoticeCategory
    menu_label = _("通知类别")
    icon = "tag"
    list_display = ["name", "slug", "is_urgent", "sort_order"]
    ordering = ["sort_order", "name"]


register_snippet(NoticeCategoryViewSet)
