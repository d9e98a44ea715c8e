"""Page numbers and sizes read from the query string, with Chinese messages when wrong."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from catalog.filters import InvalidParameters, ParameterProblem

HSDS_DEFAULT_PER_PAGE = 20
HSDS_MAX_PER_PAGE = 100
#: HSDS ``minimal=true`` asks for every service in one page, as Open Referral advises:
#: this is both its default and its most.
HSDS_MINIMAL_PER_PAGE = 10_000
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    """``page`` (from 1) and a page size, validated; ``size_parameter`` names the size
    parameter (HSDS says ``per_page``, the residents' API ``page_size``)."""

    number: int
    size: int
    size_parameter: str

    @classmethod
    def problems_in(
        cls, params, size_parameter: str, default_size: int, max_size: int
    ) -> tuple["PageRequest | None", list[ParameterProblem]]:
        problems = []
        number = _positive_int(params.get("page"), default=1)
        if number is None:
            problems.append(
                ParameterProblem("page", f"page应为正整数，收到“{params.get('page')}”。")
            )
        size = _positive_int(params.get(size_parameter), default=default_size)
        if size is None or size > max_size:
            problems.append(
                ParameterProblem(
                    size_parameter,
                    f"{size_parameter}应为1到{max_size}之间的整数，"
                    f"收到“{params.get(size_parameter)}”。",
                )
            )
        if problems:
            return None, problems
        return cls(number, size, size_parameter), []

    def page_of(self, items) -> Page:
        """The requested page of ``items`` (a QuerySet: one COUNT and one slice).
        Page 1 always exists, even when empty; a page past the last is not found (404)."""
        paginator = Paginator(items, self.size)
        if self.number > paginator.num_pages:
            raise InvalidParameters(
                [
                    ParameterProblem(
                        "page",
                        f"page超出范围：共{paginator.num_pages}页，收到“{self.number}”。",
                        status=404,
                    )
                ]
            )
        return paginator.page(self.number)


def _positive_int(raw: str | None, default: int) -> int | None:
    if raw in (None, ""):
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        return None
    return int(raw)
