"""The Kafka producers the reporter can use: kafka-python, or confluent-kafka when installed.

A backend is created and used only on the reporter's background thread, never on the training
thread. ``send`` hands one record to the producer and calls ``on_result(error_or_None)`` once when
the broker acknowledged it or the producer gave up.
"""

import importlib.util


class KafkaPythonBackend:
    """kafka-python (Debian's python3-kafka, or ``pip install kafka-python``)."""

    name = "kafka-python"

    def __init__(self, bootstrap_servers, **config):
        from kafka import KafkaProducer  # imported here: the package is optional at import time

        settings = {
            "bootstrap_servers": bootstrap_servers,
            "acks": "all",
            "retries": 5,
            "linger_ms": 20,
            # never wait long for metadata or buffer space: the reporter keeps its own bounded buffer
            "max_block_ms": 5000,
            "request_timeout_ms": 15000,
            "client_id": "loss-doctor-reporter",
        }
        settings.update(config)
        self._producer = KafkaProducer(**settings)

    def send(self, topic, key, value, on_result):
        future = self._producer.send(topic, key=key, value=value)
        future.add_callback(lambda _metadata: on_result(None))
        future.add_errback(lambda exc: on_result(exc))

    def poll(self):
        pass  # kafka-python's own I/O thread completes the futures

    def flush(self, timeout):
        self._producer.flush(timeout=timeout)

    def close(self, timeout):
        self._producer.close(timeout=timeout)


class ConfluentBackend:
    """confluent-kafka (librdkafka), when ``pip install confluent-kafka`` is available."""

    name = "confluent-kafka"

    def __init__(self, bootstrap_servers, **config):
        from confluent_kafka import Producer

        if isinstance(bootstrap_servers, (list, tuple)):
            bootstrap_servers = ",".join(bootstrap_servers)
        settings = {
            "bootstrap.servers": bootstrap_servers,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 20,
            "message.timeout.ms": 60000,
            "client.id": "loss-doctor-reporter",
            # librdkafka's default partitioner (consistent_random, CRC32) puts a key on another
            # partition than the Java clients' murmur2: a run reported by both would be split
            "partitioner": "murmur2_random",
        }
        settings.update(config)
        self._producer = Producer(settings)

    def send(self, topic, key, value, on_result):
        def delivered(err, _msg):
            on_result(None if err is None else RuntimeError(str(err)))

        self._producer.produce(topic, key=key, value=value, on_delivery=delivered)
        self._producer.poll(0)

    def poll(self):
        self._producer.poll(0)

    def flush(self, timeout):
        self._producer.flush(timeout)

    def close(self, timeout):
        self._producer.flush(timeout)


def default_backend():
    """kafka-python if importable, else confluent-kafka, else None (the reporter then drops events)."""
    if importlib.util.find_spec("kafka") is not None:
        return KafkaPythonBackend
    if importlib.util.find_spec("confluent_kafka") is not None:
        return ConfluentBackend
    return None
