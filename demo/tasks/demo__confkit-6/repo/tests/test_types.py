import textwrap
import unittest

import confkit
from confkit import InterpolationError, ParseError

SAMPLE = textwrap.dedent("""
    [DEFAULT]
    region = eu-west-1
    debug = off

    [server]
    host = app.internal
    port = 8080
    workers = 1_000
    ratio = 0.75
    debug = yes
    mirrors = a.example.org, b.example.org,
        c.example.org
    url = http://${host}:${port}/${region}
    cost = $$5
    peer = ${client:host}
    loop = ${loop}

    [client]
    host = edge-1
    mode = 0o644
""")


class TypedGetterTests(unittest.TestCase):
    def setUp(self):
        self.cfg = confkit.loads(SAMPLE)

    def test_int_and_float(self):
        self.assertEqual(self.cfg.get_int("server", "port"), 8080)
        self.assertEqual(self.cfg.get_int("server", "workers"), 1000)
        self.assertEqual(self.cfg.get_int("client", "mode"), 0o644)
        self.assertEqual(self.cfg.get_float("server", "ratio"), 0.75)

    def test_bool_with_default_section(self):
        self.assertTrue(self.cfg.get_bool("server", "debug"))
        self.assertFalse(self.cfg.get_bool("client", "debug"))

    def test_invalid_int_reports_line(self):
        with self.assertRaises(ParseError) as ctx:
            self.cfg.get_int("server", "host")
        self.assertEqual(ctx.exception.lineno, self.cfg.line_of("server", "host"))

    def test_fallbacks(self):
        self.assertEqual(self.cfg.get_int("server", "threads", fallback=4), 4)
        self.assertIsNone(self.cfg.get_bool("client", "tls", fallback=None))

    def test_list_across_lines(self):
        self.assertEqual(self.cfg.get_list("server", "mirrors"),
                         ["a.example.org", "b.example.org", "c.example.org"])

    def test_interpolation(self):
        self.assertEqual(self.cfg.get("server", "url"), "http://app.internal:8080/eu-west-1")
        self.assertEqual(self.cfg.get("server", "cost"), "$5")
        self.assertEqual(self.cfg.get("server", "url", raw=True), "http://${host}:${port}/${region}")

    def test_cross_section_reference(self):
        self.assertEqual(self.cfg.get("server", "peer"), "edge-1")

    def test_reference_to_quoted_value_with_semicolon(self):
        cfg = confkit.loads('[a]\nsep = " ; "\njoined = x${sep}y\n')
        self.assertEqual(cfg.get("a", "joined"), "x ; y")

    def test_recursive_reference(self):
        with self.assertRaises(InterpolationError):
            self.cfg.get("server", "loop")

    def test_items_include_defaults(self):
        self.assertEqual(dict(self.cfg.items("client"))["region"], "eu-west-1")


if __name__ == "__main__":
    unittest.main()
