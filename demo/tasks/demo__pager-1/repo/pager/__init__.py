"""Split result sets into numbered pages."""

from .pagination import Page, PageOutOfRange, page_count, paginate

__all__ = ["Page", "PageOutOfRange", "page_count", "paginate"]
__version__ = "0.3.1"
