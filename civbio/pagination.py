"""Pages of a long list, with links that keep the rest of the address.

A page that shows several lists gives each its own parameter (`?open=2&answered=3`): paging one
leaves the others, and any filter in the address, as they were.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import QueryDict

PAGE_SIZE = 20


@dataclass
class Pager:
    page: Page
    rows: list
    param: str
    query: QueryDict  # the address's parameters without this pager's own

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def num_pages(self) -> int:
        return self.page.paginator.num_pages

    def url(self, number: int) -> str:
        query = self.query.copy()
        if number > 1:
            query[self.param] = str(number)
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    @property
    def previous_url(self) -> str | None:
        return self.url(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page.next_page_number()) if self.page.has_next() else None


def paginate(
    queryset,
    query: QueryDict,
    *,
    param: str = "page",
    per_page: int = PAGE_SIZE,
    count: int | None = None,
) -> Pager:
    """One page of `queryset` (or of any sequence that slices), numbered by `query[param]`: a
    number out of range gives the nearest page, anything else the first. Two queries, the count
    and the rows; one when the caller counted already (several counts folded into one query)."""
    if getattr(queryset, "ordered", True) is False:
        queryset = queryset.order_by("-pk")
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached property: the count given stands for the query
    page = paginator.get_page(query.get(param))
    rest = query.copy()
    rest.pop(param, None)
    return Pager(page=page, rows=list(page.object_list), param=param, query=rest)
