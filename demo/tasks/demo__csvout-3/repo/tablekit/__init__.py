from .csvout import dict_rows, dumps, format_row, quote_field, write_csv

__all__ = ["dict_rows", "dumps", "format_row", "quote_field", "write_csv"]
