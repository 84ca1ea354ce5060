"""The diagnosis consumer's decisions, log lines and HTTP side, without Kafka.

    cd examples/diagnosis-consumer && /usr/bin/python3 -m unittest -v
"""

import json
import logging
import unittest
import urllib.request

import diagnosis_consumer as dc

DIVERGING = {
    "run_id": "r1", "epoch": 17, "step": 6800, "diagnosis": "diverging", "previous": "learning",
    "severity": "critical", "since_epoch": 16, "confidence": 0.99,
    "summary": "Training loss is NaN since epoch 16.",
    "recommendations": ["Stop the run", "Lower the learning rate (x0.1)", "Check the data for NaN/Inf", "4th"],
    "evidence": {"non_finite_epoch": 16}, "timestamp": "2026-11-26T10:17:00Z",
}


def event(**overrides):
    e = dict(DIVERGING)
    e.update(overrides)
    return e


class DecisionTest(unittest.TestCase):

    def test_diverging_stops_the_run_once(self):
        decider = dc.Decider()
        self.assertEqual(decider.decide(event()), ("stop", "Training loss is NaN since epoch 16."))
        self.assertEqual(decider.decide(event(epoch=18))[0], "log", "a replayed or later event: no second stop")
        self.assertEqual(decider.decide(event(run_id="r2"))[0], "stop")

    def test_other_diagnoses_are_only_logged(self):
        decider = dc.Decider()
        for diagnosis in ["warming_up", "learning", "converged", "overfitting", "plateau", "data_issue",
                          "oscillating", "underfitting", "undertrained", "stalled", "misconfigured"]:
            self.assertEqual(decider.decide(event(diagnosis=diagnosis, run_id=diagnosis))[0], "log", diagnosis)

    def test_stop_on_is_configurable(self):
        decider = dc.Decider(stop_on=["diverging", "overfitting"])
        self.assertEqual(decider.decide(event(diagnosis="overfitting"))[0], "stop")
        self.assertEqual(decider.decide(event(run_id="r9", diagnosis="plateau"))[0], "log")

    def test_a_failed_stop_is_tried_again(self):
        decider = dc.Decider()
        decider.decide(event())
        decider.forget("r1")
        self.assertEqual(decider.decide(event())[0], "stop")

    def test_memory_is_bounded(self):
        decider = dc.Decider(memory=2)
        for run in ["a", "b", "c"]:
            decider.decide(event(run_id=run))
        self.assertEqual(decider.decide(event(run_id="a"))[0], "stop", "the oldest run was forgotten")
        self.assertEqual(decider.decide(event(run_id="c"))[0], "log")

    def test_parse_event_ignores_what_is_not_a_diagnosis(self):
        self.assertEqual(dc.parse_event(json.dumps(DIVERGING).encode()), DIVERGING)
        for junk in [None, b"", b"\x00\x00\x00\x00", b"\x00\x00\x00\x01\x00\x00", b"not json", b"[1,2]",
                     b'{"run_id": "r1"}', b'{"diagnosis": "diverging"}', b'{"run_id": 1, "diagnosis": "x"}',
                     b"\xff\xfe"]:
            self.assertIsNone(dc.parse_event(junk), junk)

    def test_log_line_and_stop_request(self):
        self.assertEqual(dc.describe(event()),
                         "run r1 at epoch 17: learning -> diverging [critical]: Training loss is NaN since epoch 16."
                         " | do: Stop the run; Lower the learning rate (x0.1); Check the data for NaN/Inf")
        self.assertEqual(dc.describe({"run_id": "s", "step": 5, "diagnosis": "warming_up"}),
                         "run s at step 5: warming_up [info]")
        body = dc.stop_request(event(), "why")
        self.assertEqual(body["action"], "stop")
        self.assertEqual(body["run_id"], "r1")
        self.assertEqual(body["reason"], "why")
        self.assertEqual(body["since_epoch"], 16)
        json.dumps(body)

    def test_alertmanager_payload(self):
        payload = {"version": "4", "status": "firing", "alerts": [
            {"status": "firing", "labels": {"alertname": "RunDiverging", "run_id": "r1", "severity": "critical"},
             "annotations": {"summary": "Training run r1 is diverging"}},
            {"status": "resolved", "labels": {"alertname": "LossDoctorDown", "severity": "critical"},
             "annotations": {"description": "down"}}]}
        self.assertEqual(dc.describe_alerts(payload), [
            "alert firing RunDiverging run=r1 [critical]: Training run r1 is diverging",
            "alert resolved LossDoctorDown [critical]: down"])


class HandleTest(unittest.TestCase):
    """handle() against the stand-in job controller served by the same process."""

    def setUp(self):
        self.server = dc.start_http("127.0.0.1", 0)
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_diverging_posts_one_stop_request(self):
        decider = dc.Decider()
        with self.assertLogs("diagnosis_consumer", logging.INFO):
            self.assertEqual(dc.handle(event(), decider, self.base + "/stop"), "stop")
            self.assertEqual(dc.handle(event(epoch=18), decider, self.base + "/stop"), "log")
            self.assertEqual(dc.handle(event(diagnosis="learning", run_id="r5", severity="info"), decider,
                                       self.base + "/stop"), "log")
        self.assertEqual([kind for kind, _ in self.server.received], ["stop"])
        self.assertEqual(self.server.received[0][1]["run_id"], "r1")

    def test_an_unreachable_webhook_is_logged_and_retried_later(self):
        decider = dc.Decider()
        original = dc.post_json
        dc.post_json = lambda url, body: original(url, body, timeout=0.5, attempts=1)
        try:
            with self.assertLogs("diagnosis_consumer", logging.ERROR) as logs:
                dc.handle(event(), decider, "http://127.0.0.1:1/stop")
        finally:
            dc.post_json = original
        self.assertIn("could not ask", "\n".join(logs.output))
        self.assertEqual(decider.decide(event())[0], "stop", "the next event tries again")

    def test_alertmanager_receiver_and_health(self):
        body = json.dumps({"status": "firing", "alerts": [{"labels": {"alertname": "RunDiverging", "run_id": "r1"},
                                                           "annotations": {"summary": "s"}}]}).encode()
        request = urllib.request.Request(self.base + "/alertmanager", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with self.assertLogs("diagnosis_consumer", logging.WARNING):
            with urllib.request.urlopen(request, timeout=5) as response:
                self.assertEqual(response.status, 200)
        self.assertEqual(self.server.received[0][0], "alertmanager")
        with urllib.request.urlopen(self.base + "/health", timeout=5) as response:
            self.assertEqual(response.status, 200)


if __name__ == "__main__":
    unittest.main()
