import csv
import datetime
import decimal
import io
import os
import tempfile
import unittest

from tablekit import dict_rows, dumps, format_row, quote_field, write_csv


class QuoteFieldTests(unittest.TestCase):
    def test_plain_text_unquoted(self):
        self.assertEqual(quote_field("hello"), "hello")

    def test_delimiter_forces_quotes(self):
        self.assertEqual(quote_field("a,b"), '"a,b"')
        self.assertEqual(quote_field("a;b", delimiter=";"), '"a;b"')

    def test_newline_forces_quotes(self):
        self.assertEqual(quote_field("two\nlines"), '"two\nlines"')

    def test_surrounding_space_forces_quotes(self):
        self.assertEqual(quote_field(" padded "), '" padded "')

    def test_value_types(self):
        self.assertEqual(quote_field(None), "")
        self.assertEqual(quote_field(True), "true")
        self.assertEqual(quote_field(0.1), "0.1")
        self.assertEqual(quote_field(decimal.Decimal("1E+2")), "100")
        self.assertEqual(quote_field(datetime.date(2024, 2, 29)), "2024-02-29")

    def test_embedded_quotes_are_doubled(self):
        self.assertEqual(quote_field('say "hi"'), '"say ""hi"""')

    def test_backslash_is_literal(self):
        self.assertEqual(quote_field('C:\\temp\\"x"'), '"C:\\temp\\""x"""')


class DumpsTests(unittest.TestCase):
    def test_header_and_rows(self):
        text = dumps([[1, "Ada"], [2, "Grace"]], header=["id", "name"])
        self.assertEqual(text, "id,name\r\n1,Ada\r\n2,Grace\r\n")

    def test_empty(self):
        self.assertEqual(dumps([]), "")

    def test_bad_delimiter(self):
        with self.assertRaises(ValueError):
            dumps([[1]], delimiter='"')

    def test_dict_rows_missing_key(self):
        rows = dict_rows([{"a": 1, "b": 2}, {"a": 3}], ["a", "b"])
        self.assertEqual(format_row(rows[1]), "3,")

    def test_roundtrip_with_stdlib_reader(self):
        rows = [["id", "comment"], ["1", 'He said "ship it", then left'], ["2", '""'], ["3", "plain"]]
        parsed = list(csv.reader(io.StringIO(dumps(rows))))
        self.assertEqual(parsed, rows)


class WriteCsvTests(unittest.TestCase):
    def test_writes_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.csv")
            self.assertEqual(write_csv(path, [["x", 1]], header=["k", "v"]), 1)
            with open(path, newline="", encoding="utf-8") as fh:
                self.assertEqual(fh.read(), "k,v\r\nx,1\r\n")


if __name__ == "__main__":
    unittest.main()
