"""The plain reporter: a training script's metrics to Loss Doctor's ``training-metrics`` topic.

    from loss_doctor_client import Reporter

    reporter = Reporter("kafka:9092", run_id="resnet18-cifar10-lr0.1")
    reporter.run_started({"optimizer": "sgd", "lr": 0.1, "batch_size": 128, "max_epochs": 90})
    for epoch in range(1, 91):
        ...
        reporter.report(epoch, train_loss=train_loss, val_loss=val_loss, val_accuracy=acc)
    reporter.run_finished("completed")
    reporter.close()

It never blocks or crashes training: ``run_started``/``report``/``run_finished`` only encode the
event and put it in a bounded in-memory buffer; a daemon thread owns the Kafka producer and sends.
When Kafka is down or slow the buffer fills, and then the oldest events are dropped, with a logged
warning and a counter (``reporter.stats["dropped"]``). ``close(timeout)`` waits at most ``timeout``
seconds for what is left, then says how many events were not delivered.
"""

import atexit
import collections
import logging
import os
import socket
import threading
import time
import uuid

from . import backends
from .encoding import (MAX_EVENT_BYTES, MAX_RUN_ID_LENGTH, KNOWN_CONFIG_FIELDS, clean_metrics,
                       counter, dumps, epoch_number, json_safe, utc_now_iso)

LOG = logging.getLogger("loss_doctor_client")

DEFAULT_TOPIC = "training-metrics"


def default_run_id():
    """A unique, readable run id: ``$LOSSDOCTOR_RUN_ID``, else host, start time and a random suffix."""
    env = os.environ.get("LOSSDOCTOR_RUN_ID")
    if env:
        return env
    host = socket.gethostname().split(".")[0] or "host"
    return "%s-%s-%s" % (host, time.strftime("%Y%m%d-%H%M%S", time.gmtime()), uuid.uuid4().hex[:6])


class Reporter:
    """Publishes one training run's events; see the module documentation.

    :param bootstrap_servers: Kafka's ``host:port[,host:port]`` (default ``$LOSSDOCTOR_BOOTSTRAP_SERVERS``,
        else ``localhost:9092``)
    :param topic: the input topic of Loss Doctor
    :param run_id: the run's id (the record key); default ``$LOSSDOCTOR_RUN_ID`` or a generated one
    :param max_buffer: events kept while Kafka can't take them; beyond it the oldest are dropped
    :param backend: a producer class (``backends.KafkaPythonBackend``, ``backends.ConfluentBackend``)
        or any callable ``(bootstrap_servers, **producer_config)`` returning an object with
        ``send(topic, key, value, on_result)``, ``poll()``, ``flush(timeout)``, ``close(timeout)``;
        default: kafka-python, else confluent-kafka
    :param producer_config: extra settings for the producer (SASL, TLS, ...)
    :param retry_backoff: (first, max) seconds between attempts to reach Kafka
    :param exit_timeout: seconds the interpreter's exit waits to deliver what is left (0: don't wait)
    :param warn_interval: at most one warning of a kind per this many seconds
    """

    def __init__(self, bootstrap_servers=None, topic=DEFAULT_TOPIC, run_id=None, *, max_buffer=10000,
                 backend=None, producer_config=None, retry_backoff=(0.5, 30.0), exit_timeout=5.0,
                 warn_interval=30.0):
        self.bootstrap_servers = (bootstrap_servers or os.environ.get("LOSSDOCTOR_BOOTSTRAP_SERVERS")
                                  or "localhost:9092")
        self.topic = topic
        self.run_id = str(run_id) if run_id is not None else default_run_id()
        if not self.run_id.strip() or len(self.run_id) > MAX_RUN_ID_LENGTH or any(
                ord(c) < 32 or 127 <= ord(c) < 160 for c in self.run_id):
            raise ValueError("run_id must be 1 to %d characters without control characters: %r"
                             % (MAX_RUN_ID_LENGTH, self.run_id))
        if max_buffer < 1:
            raise ValueError("max_buffer must be at least 1")
        self.max_buffer = int(max_buffer)
        self._backend_factory = backend if backend is not None else backends.default_backend()
        self._producer_config = dict(producer_config or {})
        self._backoff_first, self._backoff_max = retry_backoff
        self._exit_timeout = exit_timeout
        self._warn_interval = warn_interval
        self._key = self.run_id.encode("utf-8")

        self._cond = threading.Condition()
        self._buffer = collections.deque()
        self._in_flight = 0
        self._closing = False
        self._close_deadline = None
        self._closed = False
        self._thread = None
        self._last_warned = {}
        self._stats = collections.Counter(queued=0, sent=0, dropped=0, failed=0, skipped_metrics=0)
        self._last_epoch = None
        self._last_step = None
        self.finished = False
        if self._backend_factory is None:
            self._warn("no-backend", "neither kafka-python nor confluent-kafka is installed: "
                                     "Loss Doctor events of run %s will be dropped", self.run_id)
        atexit.register(self._at_exit)

    # --- the training side: fast, never raises ---------------------------------------------------

    def run_started(self, config=None, **extra_config):
        """The run starts; ``config`` (optimizer, lr, batch_size, task, loss, activations, max_epochs,
        model, dataset, or anything else) lets Loss Doctor give optimizer-aware advice and check it."""
        try:
            merged = dict(config or {})
            merged.update(extra_config)
            self._enqueue(self._config_event(json_safe(merged)))
        except Exception:  # noqa: BLE001 - never crash training
            LOG.exception("Loss Doctor: could not report run_started of run %s", self.run_id)

    def report(self, epoch=None, step=None, metrics=None, **named_metrics):
        """One point of the curve: ``report(12, train_loss=0.51, val_loss=0.63)``.

        Metric names follow Keras (``loss``, ``val_loss``, ``accuracy``...) or Loss Doctor
        (``train_loss``...); ``metrics`` takes names that aren't Python identifiers. NaN and
        infinities are sent as ``"NaN"``/``"Infinity"``; values that are no number are left out.
        ``epoch`` may be fractional (``report(0.25, step=500, ...)``): Loss Doctor reads it as the
        epoch it falls in, ordered by ``step``, which it then needs.
        """
        try:
            all_metrics = dict(metrics or {})
            all_metrics.update(named_metrics)
            e, s = epoch_number(epoch), counter(step)
            if e is None and s is None:
                self._warn("no-epoch", "Loss Doctor: report() needs an epoch or a step (got epoch=%r, "
                                       "step=%r): point of run %s not sent", epoch, step, self.run_id)
                return
            if isinstance(e, float) and s is None:
                # Loss Doctor orders a fractional epoch's points by their step: without one, the epoch done
                self._warn("fractional-epoch", "Loss Doctor: a fractional epoch needs a step (got epoch=%r): "
                                               "sent as epoch %d", epoch, int(e))
                e = int(e)
            kept, skipped = clean_metrics(all_metrics)
            if skipped:
                with self._cond:
                    self._stats["skipped_metrics"] += len(skipped)
                self._warn("skipped-metrics", "Loss Doctor: metrics that are not numbers were left out: %s",
                           ", ".join(sorted(skipped)[:10]))
            event = {"type": "metrics", "run_id": self.run_id}
            if e is not None:
                event["epoch"] = e
                self._last_epoch = e
            if s is not None:
                event["step"] = s
                self._last_step = s
            event["timestamp"] = utc_now_iso()
            event["metrics"] = kept
            self._enqueue(event)
        except Exception:  # noqa: BLE001
            LOG.exception("Loss Doctor: could not report a point of run %s", self.run_id)

    def run_finished(self, status="completed", epoch=None):
        """The run ends (``completed``, ``stopped_early``, ``failed``, ``interrupted``...)."""
        try:
            event = {"type": "run_finished", "run_id": self.run_id, "status": str(status)}
            e = epoch_number(epoch) if epoch is not None else self._last_epoch
            if e is not None:
                event["epoch"] = e
            event["timestamp"] = utc_now_iso()
            self.finished = True
            self._enqueue(event)
        except Exception:  # noqa: BLE001
            LOG.exception("Loss Doctor: could not report run_finished of run %s", self.run_id)

    @property
    def stats(self):
        """Counts so far: queued (waiting), sent (acknowledged), dropped (buffer full or not delivered
        at close), failed (the producer gave up), skipped_metrics (values that were no number)."""
        with self._cond:
            s = dict(self._stats)
            s["queued"] = len(self._buffer) + self._in_flight
            return s

    @property
    def last_epoch(self):
        return self._last_epoch

    @property
    def last_step(self):
        return self._last_step

    def flush(self, timeout=10.0):
        """Waits at most ``timeout`` seconds until every buffered event is acknowledged; True if so."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while self._buffer or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return False
                self._cond.wait(min(remaining, 0.1))
            return True

    def close(self, timeout=10.0):
        """Delivers what is buffered, waiting at most ``timeout`` seconds, and stops the sender.

        Returns the number of events not delivered (also counted in ``stats["dropped"]``).
        Safe to call more than once.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            if self._closed:
                return 0
            self._closing = True
            self._close_deadline = deadline
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._cond:
            self._closed = True
            undelivered = len(self._buffer) + self._in_flight
            self._stats["dropped"] += len(self._buffer)
            self._buffer.clear()
            self._cond.notify_all()
        if undelivered:
            LOG.warning("Loss Doctor: %d event(s) of run %s were not delivered to Kafka at %s within %.1fs",
                        undelivered, self.run_id, self.bootstrap_servers, timeout)
        return undelivered

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.finished:
            self.run_finished("failed" if exc_type is not None else "completed")
        self.close()
        return False

    # --- internals -------------------------------------------------------------------------------

    def _config_event(self, config):
        event = {"type": "run_started", "run_id": self.run_id, "timestamp": utc_now_iso(), "config": config}
        if len(dumps(event)) > MAX_EVENT_BYTES:
            kept = {k: config[k] for k in KNOWN_CONFIG_FIELDS if k in config}
            self._warn("config-size", "Loss Doctor: the config of run %s is over %d bytes; only the fields "
                                      "Loss Doctor reads are sent", self.run_id, MAX_EVENT_BYTES)
            event["config"] = kept
        return event

    def _enqueue(self, event):
        value = dumps(event)
        if len(value) > MAX_EVENT_BYTES:
            self._warn("event-size", "Loss Doctor: an event of %d bytes is over the limit of %d: not sent",
                       len(value), MAX_EVENT_BYTES)
            return
        with self._cond:
            if self._closing or self._closed:
                self._stats["dropped"] += 1
                self._warn_locked("closed", "Loss Doctor: reporter of run %s is closed; event dropped", self.run_id)
                return
            if self._backend_factory is None:
                self._stats["dropped"] += 1
                self._warn_locked("no-backend", "Loss Doctor: no Kafka library (kafka-python or confluent-kafka): "
                                                "event of run %s dropped", self.run_id)
                return
            if len(self._buffer) >= self.max_buffer:
                self._buffer.popleft()
                self._stats["dropped"] += 1
                self._warn_locked(
                    "buffer-full",
                    "Loss Doctor: Kafka at %s is unreachable or slow and the buffer of %d events is full: "
                    "dropping the oldest (%d dropped so far for run %s). Training goes on.",
                    self.bootstrap_servers, self.max_buffer, self._stats["dropped"], self.run_id)
            self._buffer.append(value)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="loss-doctor-reporter", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _warn(self, kind, message, *args):
        with self._cond:
            self._warn_locked(kind, message, *args)

    def _warn_locked(self, kind, message, *args):
        now = time.monotonic()
        last = self._last_warned.get(kind)
        if last is None or now - last >= self._warn_interval:
            self._last_warned[kind] = now
            LOG.warning(message, *args)
        else:
            LOG.debug(message, *args)

    def _past_close_deadline(self):
        return self._closing and time.monotonic() >= self._close_deadline

    def _wait(self, seconds):
        """Sleeps up to ``seconds``, cut short by close(); caller holds no lock."""
        with self._cond:
            end = time.monotonic() + seconds
            while not self._closing:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)
            if self._close_deadline is not None:
                remaining = min(end, self._close_deadline) - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)

    def _on_result(self, error):
        with self._cond:
            self._in_flight -= 1
            if error is None:
                self._stats["sent"] += 1
            else:
                self._stats["failed"] += 1
                self._warn_locked("send-failed", "Loss Doctor: Kafka did not take an event of run %s: %s",
                                  self.run_id, error)
            self._cond.notify_all()

    def _run(self):
        producer = None
        backoff = self._backoff_first
        try:
            while True:
                with self._cond:
                    while not self._buffer and not self._closing:
                        self._cond.wait(0.2)
                        if producer is not None:
                            break  # let the producer serve its callbacks now and then
                    if self._closing and (not self._buffer or self._past_close_deadline()):
                        break
                    pending = len(self._buffer)
                if producer is None:
                    if not pending:
                        continue
                    try:
                        producer = self._backend_factory(self.bootstrap_servers, **self._producer_config)
                        LOG.info("Loss Doctor: connected to Kafka at %s for run %s", self.bootstrap_servers,
                                 self.run_id)
                        backoff = self._backoff_first
                    except Exception as e:  # noqa: BLE001 - NoBrokersAvailable and friends
                        self._warn("connect", "Loss Doctor: cannot reach Kafka at %s (%s); %d event(s) of run "
                                              "%s buffered, retrying in %.1fs", self.bootstrap_servers,
                                   e, pending, self.run_id, backoff)
                        self._wait(backoff)
                        backoff = min(backoff * 2, self._backoff_max)
                        continue
                producer.poll()
                with self._cond:
                    if not self._buffer:
                        continue
                    value = self._buffer.popleft()
                    self._in_flight += 1
                try:
                    producer.send(self.topic, self._key, value, self._on_result)
                    backoff = self._backoff_first
                except Exception as e:  # noqa: BLE001 - buffer full, metadata timeout...
                    with self._cond:
                        self._in_flight -= 1
                        self._buffer.appendleft(value)
                        while len(self._buffer) > self.max_buffer:
                            self._buffer.popleft()
                            self._stats["dropped"] += 1
                    self._warn("send", "Loss Doctor: Kafka at %s does not take events of run %s (%s); "
                                       "retrying in %.1fs", self.bootstrap_servers, self.run_id, e, backoff)
                    self._wait(backoff)
                    backoff = min(backoff * 2, self._backoff_max)
        except Exception:  # noqa: BLE001 - a bug here must not take training down
            LOG.exception("Loss Doctor: the reporter of run %s stopped sending", self.run_id)
        finally:
            if producer is not None:
                remaining = 0.0
                if self._close_deadline is not None:
                    remaining = max(0.0, self._close_deadline - time.monotonic())
                try:
                    producer.flush(remaining)
                except Exception as e:  # noqa: BLE001 - KafkaTimeoutError
                    LOG.debug("Loss Doctor: flush: %s", e)
                try:
                    producer.close(max(0.0, self._close_deadline - time.monotonic())
                                   if self._close_deadline is not None else 0.0)
                except Exception as e:  # noqa: BLE001
                    LOG.debug("Loss Doctor: close: %s", e)

    def _at_exit(self):
        if not self._closed and self._thread is not None:
            self.close(self._exit_timeout)
