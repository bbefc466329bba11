import unittest

from pager import Page, PageOutOfRange, page_count, paginate


class PageCountTests(unittest.TestCase):
    def test_exact_multiple(self):
        self.assertEqual(page_count(40, 20), 2)

    def test_empty_result_has_one_page(self):
        self.assertEqual(page_count(0, 20), 1)

    def test_invalid_per_page(self):
        with self.assertRaises(ValueError):
            page_count(10, 0)

    def test_rounds_up_partial_page(self):
        self.assertEqual(page_count(45, 20), 3)
        self.assertEqual(page_count(1, 20), 1)


class PaginateTests(unittest.TestCase):
    def test_first_page(self):
        page = paginate(range(100), page=1, per_page=10)
        self.assertEqual(page.items, list(range(10)))
        self.assertFalse(page.has_previous)
        self.assertTrue(page.has_next)

    def test_middle_page_of_exact_multiple(self):
        page = paginate(range(40), page=2, per_page=20)
        self.assertEqual(page.items, list(range(20, 40)))
        self.assertFalse(page.has_next)

    def test_page_zero_is_out_of_range(self):
        with self.assertRaises(PageOutOfRange):
            paginate(range(10), page=0)

    def test_page_past_the_end_is_out_of_range(self):
        with self.assertRaises(PageOutOfRange):
            paginate(range(40), page=3, per_page=20)

    def test_last_partial_page(self):
        page = paginate(range(45), page=3, per_page=20)
        self.assertEqual(page.items, [40, 41, 42, 43, 44])
        self.assertFalse(page.has_next)

    def test_fewer_items_than_page_size(self):
        page = paginate(["a", "b", "c"], page=1, per_page=20)
        self.assertEqual(page.items, ["a", "b", "c"])
        self.assertEqual(repr(page), "<Page 1 of 1>")

    def test_has_next_before_partial_page(self):
        page = paginate(range(45), page=2, per_page=20)
        self.assertTrue(page.has_next)


if __name__ == "__main__":
    unittest.main()
