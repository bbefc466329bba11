import os
import tempfile
import textwrap
import unittest

import confkit
from confkit import DuplicateKeyError, MissingKeyError, ParseError


def parse(text):
    return confkit.loads(textwrap.dedent(text))


class SyntaxTests(unittest.TestCase):
    def test_sections_and_separators(self):
        cfg = parse("""
            [server]
            host = example.org
            port: 8080
            [client]
            Retries = 3
        """)
        self.assertEqual(cfg.sections(), ["server", "client"])
        self.assertEqual(cfg.get("server", "port"), "8080")
        self.assertEqual(cfg.get("client", "RETRIES"), "3")

    def test_full_line_comments(self):
        cfg = parse("""
            # leading comment
            [a]
            ; another comment
            x = 1
        """)
        self.assertEqual(cfg.options("a"), ["x"])

    def test_inline_comment_stripped(self):
        cfg = parse("""
            [a]
            x = 1    # one
            y = two ; words
        """)
        self.assertEqual(cfg.get("a", "x"), "1")
        self.assertEqual(cfg.get("a", "y"), "two")

    def test_marker_without_space_kept(self):
        cfg = parse("""
            [a]
            color = #ff8800
            pair = a;b
        """)
        self.assertEqual(cfg.get("a", "color"), "#ff8800")
        self.assertEqual(cfg.get("a", "pair"), "a;b")

    def test_quoted_value_with_escapes(self):
        cfg = parse(r"""
            [a]
            motd = "tab\there \"quoted\" back\\slash"
        """)
        self.assertEqual(cfg.get("a", "motd"), 'tab\there "quoted" back\\slash')

    def test_comment_after_quoted_value(self):
        cfg = parse("""
            [a]
            name = "  padded  "   # keep the spaces
        """)
        self.assertEqual(cfg.get("a", "name"), "  padded  ")

    def test_hash_inside_quotes_kept(self):
        cfg = parse("""
            [a]
            title = "Tips # and tricks"
        """)
        self.assertEqual(cfg.get("a", "title"), "Tips # and tricks")

    def test_semicolon_inside_quotes_kept(self):
        cfg = parse("""
            [db]
            password = "s3cr3t ;not a comment" ; the real comment
        """)
        self.assertEqual(cfg.get("db", "password"), "s3cr3t ;not a comment")

    def test_escaped_quote_then_comment(self):
        cfg = parse(r"""
            [a]
            quip = "say \"hi # there\" ; ok" # trailing
        """)
        self.assertEqual(cfg.get("a", "quip"), 'say "hi # there" ; ok')

    def test_continuation_lines(self):
        cfg = parse("""
            [a]
            banner = first
                second   # comment
                third
            next = 1
        """)
        self.assertEqual(cfg.get("a", "banner"), "first\nsecond\nthird")
        self.assertEqual(cfg.get("a", "next"), "1")


class ErrorTests(unittest.TestCase):
    def assertParseError(self, text, fragment, lineno):
        with self.assertRaises(ParseError) as ctx:
            parse(text)
        self.assertIn(fragment, str(ctx.exception))
        self.assertEqual(ctx.exception.lineno, lineno)

    def test_unterminated_quote(self):
        self.assertParseError('[a]\nx = "open\n', "unterminated", 2)

    def test_text_after_closing_quote(self):
        self.assertParseError('[a]\nx = "a" b\n', "after closing quote", 2)

    def test_option_outside_section(self):
        self.assertParseError("x = 1\n", "outside of any section", 1)

    def test_duplicate_key(self):
        with self.assertRaises(DuplicateKeyError) as ctx:
            parse("[a]\nx = 1\nX = 2\n")
        self.assertIn("first defined on line 2", str(ctx.exception))

    def test_duplicate_section(self):
        self.assertParseError("[a]\n[b]\n[a]\n", "duplicate section", 3)

    def test_unknown_escape(self):
        self.assertParseError('[a]\nx = "\\q"\n', "unknown escape", 2)

    def test_missing_key(self):
        cfg = parse("[a]\nx = 1\n")
        with self.assertRaises(MissingKeyError):
            cfg.get("a", "y")
        with self.assertRaises(KeyError):
            cfg.get("b", "x")
        self.assertEqual(cfg.get("a", "y", fallback="d"), "d")


class LoadTests(unittest.TestCase):
    def test_load_file_reports_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "app.conf")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("[a]\nx = 1\ny\n")
            with self.assertRaises(ParseError) as ctx:
                confkit.load(path)
            self.assertIn("app.conf, line 3", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
