"""Minimal CSV writer with RFC 4180 quoting rules."""

import datetime
import decimal

_SPECIAL = ('"', "\n", "\r")


def _to_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def quote_field(value, delimiter=","):
    """Render one field, quoting it only when necessary."""
    text = _to_text(value)
    needs_quotes = (
        delimiter in text
        or any(ch in text for ch in _SPECIAL)
        or text != text.strip()
    )
    if not needs_quotes:
        return text
    return '"' + text.replace('"', '\\"') + '"'


def format_row(values, delimiter=","):
    """Render a sequence of values as one CSV line (without terminator)."""
    return delimiter.join(quote_field(v, delimiter) for v in values)


def dumps(rows, header=None, delimiter=",", line_terminator="\r\n"):
    """Render ``rows`` (and an optional ``header``) as CSV text."""
    if len(delimiter) != 1 or delimiter in _SPECIAL:
        raise ValueError(f"invalid delimiter: {delimiter!r}")
    lines = []
    if header is not None:
        lines.append(format_row(header, delimiter))
    for row in rows:
        lines.append(format_row(row, delimiter))
    if not lines:
        return ""
    return line_terminator.join(lines) + line_terminator


def dict_rows(records, fields, missing=None):
    """Turn dicts into rows ordered by ``fields``."""
    return [[record.get(field, missing) for field in fields] for record in records]


def write_csv(path, rows, header=None, delimiter=",", encoding="utf-8"):
    """Write CSV to ``path``; returns the number of data rows written."""
    rows = list(rows)
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(dumps(rows, header=header, delimiter=delimiter))
    return len(rows)
