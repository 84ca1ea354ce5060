"""The confluent-kafka backend's producer settings, with a stand-in for the library (not installed here)."""

import sys
import types
import unittest

from loss_doctor_client import backends


class _RecordingProducer:
    settings = None

    def __init__(self, settings):
        _RecordingProducer.settings = dict(settings)


class ConfluentBackendTest(unittest.TestCase):

    def setUp(self):
        self._saved = sys.modules.get("confluent_kafka")
        sys.modules["confluent_kafka"] = types.SimpleNamespace(Producer=_RecordingProducer)

    def tearDown(self):
        if self._saved is None:
            sys.modules.pop("confluent_kafka", None)
        else:
            sys.modules["confluent_kafka"] = self._saved

    def test_keys_land_where_the_java_clients_put_them(self):
        backends.ConfluentBackend(["a:9092", "b:9092"])
        self.assertEqual("murmur2_random", _RecordingProducer.settings["partitioner"])
        self.assertEqual("a:9092,b:9092", _RecordingProducer.settings["bootstrap.servers"])
        self.assertTrue(_RecordingProducer.settings["enable.idempotence"])

    def test_a_users_setting_still_wins(self):
        backends.ConfluentBackend("a:9092", partitioner="murmur2")
        self.assertEqual("murmur2", _RecordingProducer.settings["partitioner"])


if __name__ == "__main__":
    unittest.main()
