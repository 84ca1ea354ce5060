"""The JSON encoding of events: strict JSON, non-finite values as strings, anything as config."""

import datetime
import json
import unittest

from loss_doctor_client.encoding import clean_metrics, counter, dumps, json_safe

from .fakes import FakeTensor


class EncodingTest(unittest.TestCase):

    def test_dumps_never_writes_nan_tokens(self):
        with self.assertRaises(ValueError):
            dumps({"x": float("nan")})  # a raw NaN is a bug: it must be encoded first
        self.assertEqual(dumps({"run_id": "é"}), '{"run_id":"é"}'.encode("utf-8"))

    def test_clean_metrics(self):
        kept, skipped = clean_metrics({"loss": FakeTensor(float("-inf")), "acc": FakeTensor(1), "ok": True,
                                       "": 1.0, "x" * 200: 1.0, "s": "inf", "t": "nope", "n": None,
                                       "big": 10 ** 30})
        self.assertEqual(kept, {"loss": "-Infinity", "acc": 1, "s": "Infinity", "n": None, "big": 10 ** 30})
        self.assertEqual(sorted(skipped), sorted(["ok", "", "x" * 200, "t"]))

    def test_json_safe_config(self):
        class Opt:
            def __str__(self):
                return "Adam(lr=0.001)"

        config = json_safe({"opt": Opt(), 1: (1, 2.0, float("nan")), "when": datetime.date(2026, 11, 26),
                            "nested": {"set": {3}}, "t": FakeTensor(0.5)})
        self.assertEqual(config, {"opt": "Adam(lr=0.001)", "1": [1, 2.0, "NaN"], "when": "2026-11-26",
                                  "nested": {"set": [3]}, "t": 0.5})
        json.loads(dumps(config))

    def test_counter(self):
        self.assertEqual(counter(3), 3)
        self.assertEqual(counter(2.9999999), 2)
        self.assertEqual(counter(FakeTensor(7)), 7)
        for bad in [None, -1, float("nan"), "x", True]:
            self.assertIsNone(counter(bad), bad)


if __name__ == "__main__":
    unittest.main()
