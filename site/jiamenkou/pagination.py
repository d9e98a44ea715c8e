"""Page-number pagination for the lists residents read (HTML pages).

One rule for every public list: ``?page=N`` picks the page; a number past the last shows
the last page and anything that is not a page number shows the first (Django's
``Paginator.get_page``), so an old link or a shortened list never ends in an error page.
The page carries ``elided_range`` for ``includes/pagination.html``, which renders
上一页 / 第 N 页 共 M 页 / 下一页 with links that keep the rest of the query string.

The JSON APIs answer a page past the last with 404 instead (catalog/api/pagination.py):
a program asking for it has made a mistake worth reporting.

The items must be ordered by something unique (a primary key as the last tiebreaker),
or rows could move between pages from one request to the next.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def page_of(request, items, per_page: int, *, count: int | None = None) -> Page:
    """The page of ``items`` that ``request`` asks for (one COUNT and one slice of a
    QuerySet; no COUNT when the caller already knows ``count``, and then a page past the
    middle is read from the far end, see ``FromNearerEnd``)."""
    if count is not None and isinstance(items, QuerySet):
        items = FromNearerEnd(items, count)
    paginator = Paginator(items, per_page)
    if count is not None:
        # Paginator.count is a cached_property: a total the caller computed anyway (facet
        # counts) saves the COUNT query.
        paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = list(
        paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


class FromNearerEnd:
    """A QuerySet of ``count`` rows whose slices are read from the nearer end of its order:
    a page past the middle is asked for in the reverse order, with the smaller OFFSET, and
    turned round. The database walks an OFFSET row by row (an index walk too), so the last
    page of a long list costs what its first does, and no page more than half the list;
    with filters that few rows pass, the walk from the far end stops at the page instead
    of passing every row before it. The same rows in the same order either way: the order
    is total (see the module's docstring) and ``count`` is the QuerySet's."""

    def __init__(self, queryset: QuerySet, count: int):
        self.queryset, self.total = queryset, count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            return self.queryset[index]
        start, stop, _ = index.indices(self.total)
        if stop <= start:
            return []
        if start <= self.total - stop:
            return list(self.queryset[start:stop])
        return list(self.queryset.reverse()[self.total - stop : self.total - start])[::-1]
