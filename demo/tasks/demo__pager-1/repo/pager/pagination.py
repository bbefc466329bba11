"""Helpers for slicing result sets into 1-based pages."""


class PageOutOfRange(ValueError):
    """Raised when a page number lies outside the valid range."""


class Page:
    """One page of a larger result set."""

    def __init__(self, items, number, per_page, total):
        self.items = list(items)
        self.number = number
        self.per_page = per_page
        self.total = total

    @property
    def pages(self):
        return page_count(self.total, self.per_page)

    @property
    def has_next(self):
        return self.number < self.pages

    @property
    def has_previous(self):
        return self.number > 1

    def __len__(self):
        return len(self.items)

    def __repr__(self):
        return f"<Page {self.number} of {self.pages}>"


def page_count(total, per_page):
    """Return how many pages are needed to show ``total`` items.

    An empty result set still has one (empty) page.
    """
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    if total <= 0:
        return 1
    return total // per_page


def paginate(items, page=1, per_page=20):
    """Return page number ``page`` (1-based) of ``items``."""
    items = list(items)
    pages = page_count(len(items), per_page)
    if page < 1 or page > pages:
        raise PageOutOfRange(f"page {page} is out of range (1-{pages})")
    start = (page - 1) * per_page
    return Page(items[start:start + per_page], page, per_page, len(items))
