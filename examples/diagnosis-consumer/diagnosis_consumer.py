#!/usr/bin/env python3
"""An example service that acts on Loss Doctor's diagnoses.

It reads ``training-diagnoses`` (read_committed: Loss Doctor writes it exactly-once, in
transactions), logs one line per diagnosis, and when a run is ``diverging`` calls a webhook to stop
the job: ``POST {"action": "stop", "run_id": ..., "diagnosis": ..., "reason": ..., ...}``. Point
``--stop-webhook`` at your scheduler's API (Kubernetes Job deletion, Slurm scancel wrapper, Ray job
stop...). Each run is stopped at most once per process, so a replayed event does no harm.

It also serves HTTP (``--listen``), for the docker-compose setup:
  * ``POST /alertmanager``  an Alertmanager webhook receiver: logs the alerts it gets;
  * ``POST /stop``          a stand-in job controller: logs the stop requests (the default webhook);
  * ``GET /health``         200.

    python3 diagnosis_consumer.py --bootstrap-servers localhost:9092 \\
        --stop-webhook http://scheduler.internal/api/jobs/stop --stop-on diverging

Standard library plus kafka-python (or confluent-kafka).
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = logging.getLogger("diagnosis_consumer")

TOPIC = "training-diagnoses"
SEVERITY_LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "critical": logging.ERROR}


# --- the decision logic (pure; unit-tested) -------------------------------------------------------

def parse_event(value):
    """A diagnosis event from a record value, or None for what is not one (a transaction marker
    seen by an old client, a tombstone, bytes that are not a JSON object with run_id and diagnosis)."""
    if not value:
        return None
    try:
        event = json.loads(value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else value)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(event, dict) or not isinstance(event.get("run_id"), str) \
            or not isinstance(event.get("diagnosis"), str):
        return None
    return event


class Decider:
    """Says what to do with each diagnosis event: always log; stop a run whose diagnosis is in
    ``stop_on``, once per run (remembering the last ``memory`` runs stopped)."""

    def __init__(self, stop_on=("diverging",), memory=10000):
        self.stop_on = frozenset(stop_on)
        self.memory = memory
        self._stopped = OrderedDict()

    def decide(self, event):
        """``("stop", reason)``, or ``("log", reason)``."""
        run_id, diagnosis = event["run_id"], event["diagnosis"]
        if diagnosis not in self.stop_on:
            return "log", "no action for %s" % diagnosis
        if run_id in self._stopped:
            return "log", "run already stopped"
        self._stopped[run_id] = time.time()
        while len(self._stopped) > self.memory:
            self._stopped.popitem(last=False)
        return "stop", event.get("summary") or diagnosis

    def forget(self, run_id):
        """The stop request failed: let a later event try again."""
        self._stopped.pop(run_id, None)


def describe(event):
    """One log line for a diagnosis event."""
    where = ""
    if event.get("epoch") is not None:
        where = " at epoch %s" % event["epoch"]
    elif event.get("step") is not None:
        where = " at step %s" % event["step"]
    previous = event.get("previous")
    change = "%s -> %s" % (previous, event["diagnosis"]) if previous else event["diagnosis"]
    line = "run %s%s: %s [%s]" % (event["run_id"], where, change, event.get("severity", "info"))
    if event.get("summary"):
        line += ": " + event["summary"]
    recommendations = event.get("recommendations") or []
    if recommendations:
        line += " | do: " + "; ".join(str(r) for r in recommendations[:3])
    return line


def stop_request(event, reason):
    """The JSON body POSTed to the stop webhook."""
    return {
        "action": "stop",
        "run_id": event["run_id"],
        "diagnosis": event["diagnosis"],
        "severity": event.get("severity"),
        "epoch": event.get("epoch"),
        "step": event.get("step"),
        "since_epoch": event.get("since_epoch"),
        "reason": reason,
        "recommendations": event.get("recommendations") or [],
        "source": "loss-doctor",
    }


def describe_alerts(payload):
    """Log lines for an Alertmanager webhook payload (version 4)."""
    lines = []
    for alert in payload.get("alerts", []):
        labels = alert.get("labels", {})
        annotations = alert.get("annotations", {})
        what = labels.get("alertname", "?")
        if labels.get("run_id"):
            what += " run=%s" % labels["run_id"]
        lines.append("alert %s %s [%s]: %s" % (alert.get("status", payload.get("status", "?")), what,
                                               labels.get("severity", "?"),
                                               annotations.get("summary") or annotations.get("description") or ""))
    return lines


# --- the side effects -----------------------------------------------------------------------------

def post_json(url, body, timeout=5.0, attempts=3, backoff=1.0):
    """POSTs ``body``; True on a 2xx answer. Retries a few times; never raises."""
    data = json.dumps(body).encode("utf-8")
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
                LOG.warning("webhook %s answered %s", url, response.status)
        except (urllib.error.URLError, OSError, ValueError) as e:
            LOG.warning("webhook %s failed (attempt %d/%d): %s", url, attempt, attempts, e)
        if attempt < attempts:
            time.sleep(backoff * attempt)
    return False


class Handler(BaseHTTPRequestHandler):
    server_version = "diagnosis-consumer"

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def _answer(self, status, text="ok\n"):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._answer(200)
        else:
            self._answer(404, "not found\n")

    def do_POST(self):
        body = self._body()
        if body is None or not isinstance(body, dict):
            self._answer(400, "not a JSON object\n")
        elif self.path == "/alertmanager":
            for line in describe_alerts(body):
                LOG.warning("%s", line)
            self.server.received.append(("alertmanager", body))
            self._answer(200)
        elif self.path == "/stop":
            LOG.error("STOP requested for run %s (%s): %s", body.get("run_id"), body.get("diagnosis"),
                      body.get("reason"))
            self.server.received.append(("stop", body))
            self._answer(200)
        else:
            self._answer(404, "not found\n")

    def log_message(self, fmt, *args):
        LOG.debug("http: " + fmt, *args)


def start_http(host, port):
    server = ThreadingHTTPServer((host, port), Handler)
    server.received = []
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    return server


def create_consumer(bootstrap_servers, group_id):
    """A kafka-python consumer reading committed transactions only.

    kafka-python >= 2.1 takes ``isolation_level``; 2.0.x (Debian bookworm's python3-kafka) does not,
    so its fetcher is switched to READ_COMMITTED directly: the broker then returns nothing past the
    last stable offset (no open transaction). That old client can't filter *aborted* records, which
    only a failed Loss Doctor transaction leaves and which it re-sends: the once-per-run stop makes
    that harmless.
    """
    from kafka import KafkaConsumer
    from kafka.errors import KafkaConfigurationError

    settings = dict(bootstrap_servers=bootstrap_servers, group_id=group_id, enable_auto_commit=False,
                    auto_offset_reset="latest", client_id="diagnosis-consumer")
    try:
        return KafkaConsumer(TOPIC, isolation_level="read_committed", **settings)
    except (KafkaConfigurationError, TypeError, AssertionError):
        consumer = KafkaConsumer(TOPIC, **settings)
        fetcher = getattr(consumer, "_fetcher", None)
        if fetcher is not None and hasattr(fetcher, "_isolation_level"):
            fetcher._isolation_level = 1  # READ_COMMITTED
            LOG.info("kafka-python %s: read_committed set on the fetcher", getattr(sys.modules.get("kafka"),
                                                                                    "__version__", "?"))
        else:
            LOG.warning("this kafka-python can't read committed only: events of aborted transactions may show")
        return consumer


def handle(event, decider, stop_webhook):
    """Logs the event and acts on it; returns the action taken."""
    LOG.log(SEVERITY_LEVELS.get(event.get("severity"), logging.INFO), "%s", describe(event))
    action, reason = decider.decide(event)
    if action == "stop":
        if stop_webhook and post_json(stop_webhook, stop_request(event, reason)):
            LOG.error("asked %s to stop run %s", stop_webhook, event["run_id"])
        elif stop_webhook:
            decider.forget(event["run_id"])
            LOG.error("could not ask %s to stop run %s", stop_webhook, event["run_id"])
        else:
            LOG.error("run %s should be stopped (no --stop-webhook configured)", event["run_id"])
    return action


def run(args):
    decider = Decider(stop_on=[s.strip() for s in args.stop_on.split(",") if s.strip()])
    consumer = create_consumer(args.bootstrap_servers, args.group_id)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    LOG.info("reading %s from %s; stopping runs on %s via %s", TOPIC, args.bootstrap_servers,
             sorted(decider.stop_on), args.stop_webhook or "(no webhook)")
    try:
        while not stopping.is_set():
            batches = consumer.poll(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    event = parse_event(record.value)
                    if event is not None:
                        handle(event, decider, args.stop_webhook)
            if batches:
                consumer.commit()  # after acting: at-least-once, and the once-per-run stop dedupes
    finally:
        consumer.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Acts on Loss Doctor's training-diagnoses.")
    parser.add_argument("--bootstrap-servers", default=os.environ.get("BOOTSTRAP_SERVERS", "localhost:9092"))
    parser.add_argument("--group-id", default=os.environ.get("GROUP_ID", "diagnosis-consumer"))
    parser.add_argument("--stop-webhook", default=os.environ.get("STOP_WEBHOOK", ""),
                        help="URL to POST a stop request to (default: none, just log)")
    parser.add_argument("--stop-on", default=os.environ.get("STOP_ON", "diverging"),
                        help="comma-separated diagnoses that stop a run (default: diverging)")
    parser.add_argument("--listen", default=os.environ.get("LISTEN", ""),
                        help="host:port to serve /alertmanager, /stop and /health on (default: off)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    if args.listen:
        host, _, port = args.listen.rpartition(":")
        start_http(host or "0.0.0.0", int(port))
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
