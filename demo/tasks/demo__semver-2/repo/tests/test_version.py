import unittest

from semverlite import Version, parse


class ParseTests(unittest.TestCase):
    def test_plain(self):
        v = parse("1.2.3")
        self.assertEqual((v.major, v.minor, v.patch), (1, 2, 3))
        self.assertEqual(v.prerelease, ())

    def test_v_prefix(self):
        self.assertEqual(parse("v0.9.0"), Version(0, 9, 0))

    def test_simple_prerelease(self):
        self.assertEqual(parse("2.0.0-beta").prerelease, ("beta",))

    def test_build_metadata(self):
        v = parse("1.0.0+build.5.sha-1f3e")
        self.assertEqual(v.build, ("build", "5", "sha-1f3e"))

    def test_rejects_leading_zero(self):
        with self.assertRaises(ValueError):
            parse("01.2.3")

    def test_rejects_garbage(self):
        for text in ("", "1.2", "1.2.3.4", "1.2.3-", "one.two.three"):
            with self.subTest(text=text), self.assertRaises(ValueError):
                parse(text)

    def test_dotted_prerelease(self):
        v = parse("1.0.0-rc.1")
        self.assertEqual(v.prerelease, ("rc", "1"))

    def test_dotted_prerelease_with_build(self):
        v = parse("3.1.0-alpha.beta.7+exp.sha.5114f85")
        self.assertEqual(v.prerelease, ("alpha", "beta", "7"))
        self.assertEqual(v.build, ("exp", "sha", "5114f85"))


class OrderingTests(unittest.TestCase):
    def test_numeric_fields(self):
        self.assertLess(parse("1.9.0"), parse("1.10.0"))
        self.assertLess(parse("1.10.0"), parse("2.0.0"))

    def test_prerelease_before_release(self):
        self.assertLess(parse("1.0.0-alpha"), parse("1.0.0"))

    def test_build_ignored(self):
        self.assertEqual(parse("1.0.0+a"), parse("1.0.0+b"))

    def test_prerelease_identifiers_compare_numerically(self):
        self.assertLess(parse("1.0.0-alpha.2"), parse("1.0.0-alpha.10"))
        self.assertLess(parse("1.0.0-alpha.1"), parse("1.0.0-alpha.beta"))

    def test_sorting_spec_example(self):
        ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                   "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]
        shuffled = sorted(ordered, key=len)
        self.assertEqual([str(v) for v in sorted(map(parse, shuffled))], ordered)


class FormattingTests(unittest.TestCase):
    def test_str_roundtrip(self):
        for text in ("0.0.1", "1.2.3-beta", "1.2.3+build.9"):
            with self.subTest(text=text):
                self.assertEqual(str(parse(text)), text)

    def test_str_roundtrip_dotted_prerelease(self):
        self.assertEqual(str(parse("4.0.0-rc.2+linux.x86")), "4.0.0-rc.2+linux.x86")

    def test_bumps(self):
        v = parse("1.4.2")
        self.assertEqual(str(v.bump_major()), "2.0.0")
        self.assertEqual(str(v.bump_minor()), "1.5.0")
        self.assertEqual(str(v.bump_patch()), "1.4.3")
        self.assertEqual(str(parse("1.4.3-rc").bump_patch()), "1.4.3")


if __name__ == "__main__":
    unittest.main()
