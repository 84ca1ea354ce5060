#!/usr/bin/env python3
"""Simulated trainers for the docker-compose demo: several runs at once, each a typical loss curve
(learning then converging, overfitting, diverging to NaN, stuck on a plateau, a data problem),
published through the Reporter exactly as a real training script would. Loops forever with fresh
run ids, so Grafana and the alerts always have something to show.

    python3 simulated_trainer.py --bootstrap-servers localhost:9094 --epoch-seconds 1

Needs only kafka-python (or confluent-kafka).
"""

import argparse
import logging
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from loss_doctor_client import Reporter  # noqa: E402


def converging(e, rng):
    train = 2.0 * math.exp(-e / 12) + 0.05
    return train, train * 1.08 + 0.02


def overfitting(e, rng):
    train = 2.0 * math.exp(-e / 8) + 0.02
    val = 2.0 * math.exp(-e / 8) + 0.3 + max(0, e - 15) * 0.03
    return train, val


def diverging(e, rng):
    if e > 25:
        return float("nan"), float("nan")
    train = 1.5 * math.exp(-e / 10) + (0 if e < 15 else 0.05 * math.exp((e - 15) / 3))
    return train, train * 1.1


def plateau(e, rng):
    train = 2.3 - 0.6 * (1 - math.exp(-e / 4))
    return train, train + 0.05


def data_issue(e, rng):
    return 1.6, 1.8 * math.exp(-e / 10) + 0.4


CURVES = {"converging": converging, "overfitting": overfitting, "diverging": diverging, "plateau": plateau,
          "data-issue": data_issue}


def run_all(bootstrap_servers, epochs, epoch_seconds, cycle, rng):
    reporters = {}
    for name in CURVES:
        run_id = "demo-%s-%d" % (name, cycle)
        reporters[name] = Reporter(bootstrap_servers, run_id=run_id)
        reporters[name].run_started({"optimizer": rng.choice(["adam", "sgd"]), "lr": 0.001, "batch_size": 64,
                                     "task": "classification", "loss": "cross_entropy",
                                     "output_activation": "softmax", "hidden_activation": "relu",
                                     "max_epochs": epochs, "model": "simulated", "dataset": name})
    for epoch in range(1, epochs + 1):
        for name, curve in CURVES.items():
            train, val = curve(epoch, rng)
            noise = 1 + rng.gauss(0, 0.01)
            reporters[name].report(epoch, train_loss=train * noise, val_loss=val * (1 + rng.gauss(0, 0.015)))
        time.sleep(epoch_seconds)
    for name, reporter in reporters.items():
        reporter.run_finished("completed" if name != "diverging" else "failed")
        reporter.close(10)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap-servers", default=os.environ.get("LOSSDOCTOR_BOOTSTRAP_SERVERS", "localhost:9092"))
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--epoch-seconds", type=float, default=float(os.environ.get("EPOCH_SECONDS", "2")))
    parser.add_argument("--cycles", type=int, default=0, help="0: forever")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    rng = random.Random(42)
    cycle = 1
    while args.cycles == 0 or cycle <= args.cycles:
        logging.info("cycle %d: %d simulated runs of %d epochs", cycle, len(CURVES), args.epochs)
        run_all(args.bootstrap_servers, args.epochs, args.epoch_seconds, cycle, rng)
        cycle += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
