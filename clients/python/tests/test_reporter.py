"""The plain Reporter: what it sends, and that it never blocks or crashes training."""

import importlib.util
import json
import logging
import socket
import time
import unittest

from loss_doctor_client import Reporter
from loss_doctor_client import backends
from loss_doctor_client.encoding import MAX_EVENT_BYTES

from .fakes import FlakyBackend, HangingBackend, RecordingBackend, events


def closed_port():
    """A local port nothing listens on: connections to it are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SendsEventsTest(unittest.TestCase):

    def setUp(self):
        self.factory, self.records = RecordingBackend.factory()
        self.reporter = Reporter("kafka:9092", run_id="resnet-7", backend=self.factory, exit_timeout=0)

    def tearDown(self):
        self.reporter.close(1)

    def sent(self):
        self.assertTrue(self.reporter.flush(5), self.reporter.stats)
        return events(self.records)

    def test_run_lifecycle_events_keyed_by_run_id(self):
        r = self.reporter
        r.run_started({"optimizer": "adam", "lr": 0.001, "batch_size": 32}, max_epochs=100)
        r.report(1, step=50, train_loss=0.9, val_loss=1.1, val_accuracy=0.6)
        r.report(2, loss=0.7, val_loss=0.95)
        r.run_finished("completed")
        sent = self.sent()
        self.assertEqual([e["type"] for e in sent], ["run_started", "metrics", "metrics", "run_finished"])
        self.assertTrue(all(t == "training-metrics" for t, _k, _v in self.records))
        self.assertTrue(all(k == b"resnet-7" for _t, k, _v in self.records))
        self.assertEqual(sent[0]["config"], {"optimizer": "adam", "lr": 0.001, "batch_size": 32, "max_epochs": 100})
        self.assertEqual(sent[1]["epoch"], 1)
        self.assertEqual(sent[1]["step"], 50)
        self.assertEqual(sent[1]["metrics"], {"train_loss": 0.9, "val_loss": 1.1, "val_accuracy": 0.6})
        self.assertNotIn("step", sent[2])
        self.assertEqual(sent[2]["metrics"], {"loss": 0.7, "val_loss": 0.95})
        self.assertEqual(sent[3]["status"], "completed")
        self.assertEqual(sent[3]["epoch"], 2, "run_finished carries the last epoch reported")
        for e in sent:
            self.assertRegex(e["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(self.reporter.stats["sent"], 4)

    def test_non_finite_values_are_sent_as_strings_and_json_stays_strict(self):
        self.reporter.report(3, train_loss=float("nan"), val_loss=float("inf"), grad=float("-inf"), lr=None)
        self.reporter.run_started({"lr": float("nan"), "schedule": [1.0, float("inf")]})
        metrics, started = self.sent()
        self.assertEqual(metrics["metrics"], {"train_loss": "NaN", "val_loss": "Infinity", "grad": "-Infinity",
                                              "lr": None})
        self.assertEqual(started["config"], {"lr": "NaN", "schedule": [1.0, "Infinity"]})
        for _t, _k, value in self.records:
            self.assertNotIn(b"NaN,", value.replace(b'"NaN"', b""))

    def test_framework_scalars_strings_and_non_numbers(self):
        class Scalar:  # numpy.float32 / torch.Tensor: item()
            def __init__(self, v):
                self.v = v

            def item(self):
                return self.v

        with self.assertLogs("loss_doctor_client", logging.WARNING) as logs:
            self.reporter.report(1, loss=Scalar(0.25), val_loss=Scalar(float("nan")), acc="0.5", flag=True,
                                 name="resnet", metrics={"val/loss": 0.3})
            (event,) = self.sent()
        self.assertEqual(event["metrics"], {"loss": 0.25, "val_loss": "NaN", "acc": 0.5, "val/loss": 0.3})
        self.assertIn("flag", "\n".join(logs.output))
        self.assertEqual(self.reporter.stats["skipped_metrics"], 2)

    def test_a_point_without_epoch_or_step_is_not_sent(self):
        with self.assertLogs("loss_doctor_client", logging.WARNING):
            self.reporter.report(None, loss=1.0)
        self.reporter.report(step=7, loss=1.0)
        (event,) = self.sent()
        self.assertEqual(event["step"], 7)
        self.assertNotIn("epoch", event)

    def test_a_fractional_epoch_is_sent_as_it_is_with_its_step(self):
        self.reporter.report(0.25, step=500, loss=0.7)
        self.reporter.report(2.0, step=4000, loss=0.5)
        self.reporter.run_finished("completed", epoch=2.5)
        quarter, whole, finished = self.sent()
        self.assertEqual((quarter["epoch"], quarter["step"]), (0.25, 500))
        self.assertEqual(whole["epoch"], 2)
        self.assertIsInstance(whole["epoch"], int, "a whole epoch is sent whole")
        self.assertEqual(finished["epoch"], 2.5)

    def test_a_fractional_epoch_without_a_step_is_sent_as_the_epoch_done(self):
        # Loss Doctor orders a fractional epoch's points by their step; without one it would refuse the point
        with self.assertLogs("loss_doctor_client", logging.WARNING) as logs:
            self.reporter.report(1.75, loss=0.7)
        (event,) = self.sent()
        self.assertEqual(event["epoch"], 1)
        self.assertIn("needs a step", "\n".join(logs.output))

    def test_a_huge_config_keeps_the_fields_loss_doctor_reads(self):
        with self.assertLogs("loss_doctor_client", logging.WARNING):
            self.reporter.run_started({"optimizer": "sgd", "lr": 0.1, "vocabulary": ["w%d" % i for i in range(20000)]})
        (event,) = self.sent()
        self.assertEqual(event["config"], {"optimizer": "sgd", "lr": 0.1})
        self.assertLess(len(json.dumps(event)), MAX_EVENT_BYTES)

    def test_context_manager_reports_failure_on_exception(self):
        with self.assertRaises(ZeroDivisionError):
            with self.reporter as r:
                r.report(1, loss=1.0)
                1 / 0
        self.assertEqual(events(self.records)[-1]["status"], "failed")
        self.assertEqual(self.reporter.stats["sent"], 2)

    def test_invalid_run_ids_are_refused_up_front(self):
        for bad in ["", "x" * 257, "a\nb"]:
            with self.assertRaises(ValueError):
                Reporter("kafka:9092", run_id=bad, backend=self.factory, exit_timeout=0)


class NeverBlocksTrainingTest(unittest.TestCase):

    @unittest.skipIf(importlib.util.find_spec("kafka") is None, "kafka-python is not installed (apt python3-kafka)")
    def test_kafka_down_reports_return_at_once_and_drop_the_oldest_with_a_warning(self):
        port = closed_port()
        reporter = Reporter("127.0.0.1:%d" % port, run_id="down-1", max_buffer=10,
                            backend=backends.KafkaPythonBackend, retry_backoff=(0.1, 0.5), exit_timeout=0)
        slowest = 0.0
        with self.assertLogs("loss_doctor_client", logging.WARNING) as logs:
            reporter.run_started({"optimizer": "adam"})
            for epoch in range(1, 1001):
                t = time.perf_counter()
                reporter.report(epoch, train_loss=1.0 / epoch, val_loss=float("nan"))
                slowest = max(slowest, time.perf_counter() - t)
            reporter.run_finished("completed")
            stats = reporter.stats
            t = time.perf_counter()
            undelivered = reporter.close(0.5)
            close_took = time.perf_counter() - t
        self.assertLess(slowest, 0.5, "report() must not wait for Kafka (a blocked call would take seconds)")
        self.assertEqual(stats["queued"], 10, stats)
        self.assertEqual(stats["dropped"], 1002 - 10, stats)
        self.assertEqual(stats["sent"], 0)
        self.assertEqual(undelivered, 10)
        self.assertLess(close_took, 3.0, "close(timeout) must give up after its timeout")
        text = "\n".join(logs.output)
        self.assertIn("buffer of 10 events is full: dropping the oldest", text)
        self.assertIn("10 event(s) of run down-1 were not delivered", text)
        self.assertEqual(reporter.stats["dropped"], 1002)

    def test_a_hanging_broker_does_not_block_report_or_close(self):
        HangingBackend.release.clear()
        reporter = Reporter("kafka:9092", run_id="hang", max_buffer=5, backend=HangingBackend, exit_timeout=0)
        try:
            t = time.perf_counter()
            for epoch in range(1, 101):
                reporter.report(epoch, loss=1.0)
            self.assertLess(time.perf_counter() - t, 2.0)
            t = time.perf_counter()
            with self.assertLogs("loss_doctor_client", logging.WARNING):
                self.assertGreater(reporter.close(0.3), 0)
            self.assertLess(time.perf_counter() - t, 2.5)
        finally:
            HangingBackend.release.set()

    def test_a_producer_that_cannot_be_created_is_retried_without_raising(self):
        attempts = []

        def broken(bootstrap_servers, **config):
            attempts.append(time.monotonic())
            raise ConnectionError("NoBrokersAvailable")

        reporter = Reporter("kafka:9092", run_id="retry", backend=broken, retry_backoff=(0.05, 0.1), exit_timeout=0)
        with self.assertLogs("loss_doctor_client", logging.WARNING) as logs:
            reporter.report(1, loss=1.0)
            time.sleep(0.4)
            reporter.close(0.1)
        self.assertGreaterEqual(len(attempts), 3)
        self.assertIn("cannot reach Kafka at kafka:9092", "\n".join(logs.output))

    def test_refused_sends_are_retried_in_order(self):
        records, failures = [], [3]
        reporter = Reporter("kafka:9092", run_id="flaky", retry_backoff=(0.01, 0.02), exit_timeout=0,
                            backend=lambda servers, **c: FlakyBackend(records, failures, servers, **c))
        with self.assertLogs("loss_doctor_client", logging.WARNING):
            for epoch in range(1, 6):
                reporter.report(epoch, loss=1.0 / epoch)
            self.assertTrue(reporter.flush(5))
        reporter.close(1)
        self.assertEqual([e["epoch"] for e in events(records)], [1, 2, 3, 4, 5])
        self.assertEqual(reporter.stats["dropped"], 0)

    def test_without_a_kafka_library_events_are_dropped_with_a_warning(self):
        with self.assertLogs("loss_doctor_client", logging.WARNING) as logs:
            reporter = Reporter("kafka:9092", run_id="nolib", exit_timeout=0)
            reporter._backend_factory = None  # as if neither kafka-python nor confluent-kafka were installed
            reporter.report(1, loss=1.0)
        reporter.close(0.1)
        self.assertEqual(reporter.stats["dropped"], 1)
        self.assertTrue(logs.output)

    def test_events_after_close_are_dropped_not_raised(self):
        factory, records = RecordingBackend.factory()
        reporter = Reporter("kafka:9092", run_id="closed", backend=factory, exit_timeout=0)
        reporter.report(1, loss=1.0)
        reporter.close(2)
        with self.assertLogs("loss_doctor_client", logging.WARNING):
            reporter.report(2, loss=0.5)
        self.assertEqual(len(records), 1)
        self.assertEqual(reporter.close(1), 0, "close twice is harmless")


if __name__ == "__main__":
    unittest.main()
