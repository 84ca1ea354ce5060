"""Test doubles: a Kafka producer backend that records, fails or hangs on demand."""

import json
import threading
import time


class RecordingBackend:
    """Acknowledges every record at once and keeps it. ``RecordingBackend.factory()`` gives a
    backend factory for ``Reporter(backend=...)`` and the list the records land in."""

    def __init__(self, records, bootstrap_servers, **config):
        self.records = records
        self.bootstrap_servers = bootstrap_servers
        self.config = config

    def send(self, topic, key, value, on_result):
        self.records.append((topic, key, value))
        on_result(None)

    def poll(self):
        pass

    def flush(self, timeout):
        pass

    def close(self, timeout):
        pass

    @classmethod
    def factory(cls):
        records = []

        def make(bootstrap_servers, **config):
            return cls(records, bootstrap_servers, **config)

        return make, records


def events(records):
    """The JSON events of recorded (topic, key, value) records, checking each is strict JSON."""
    out = []
    for _topic, key, value in records:
        text = value.decode("utf-8")

        def refuse(token):
            raise AssertionError("non-strict JSON token %s in %s" % (token, text))

        event = json.loads(text, parse_constant=refuse)
        assert key.decode("utf-8") == event["run_id"], (key, event)
        out.append(event)
    return out


class HangingBackend:
    """A producer whose send blocks (a broker that stopped answering)."""

    release = threading.Event()

    def __init__(self, bootstrap_servers, **config):
        pass

    def send(self, topic, key, value, on_result):
        HangingBackend.release.wait(30)
        on_result(RuntimeError("timed out"))

    def poll(self):
        pass

    def flush(self, timeout):
        time.sleep(min(timeout, 0.05))

    def close(self, timeout):
        pass


class FlakyBackend:
    """Refuses the first ``failures`` sends (as kafka-python's KafkaTimeoutError does), then records."""

    def __init__(self, records, failures, bootstrap_servers, **config):
        self.records = records
        self.failures = failures

    def send(self, topic, key, value, on_result):
        if self.failures[0] > 0:
            self.failures[0] -= 1
            raise TimeoutError("Failed to update metadata after 5.0 secs.")
        self.records.append((topic, key, value))
        on_result(None)

    def poll(self):
        pass

    def flush(self, timeout):
        pass

    def close(self, timeout):
        pass


class FakeTensor:
    """What a 0-d torch.Tensor offers the client: item()."""

    def __init__(self, value):
        self.value = value

    def item(self):
        return self.value
