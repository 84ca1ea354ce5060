#!/usr/bin/env python3
"""Writes deploy/k8s/prometheusrule.yaml from deploy/prometheus/rules/loss-doctor.rules.yml.

The rules file is the one source of truth: Prometheus loads it as is (docker-compose), and the
prometheus-operator gets the same groups wrapped in a PrometheusRule. Run this after editing the
rules; `--check` exits 1 when prometheusrule.yaml is out of date (K8sManifestsTest checks the same).

    /usr/bin/python3 deploy/k8s/generate-prometheusrule.py [--check]

Needs PyYAML (Debian: python3-yaml).
"""

import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "..", "prometheus", "rules", "loss-doctor.rules.yml")
OUT = os.path.join(HERE, "prometheusrule.yaml")

HEADER = """\
# GENERATED from deploy/prometheus/rules/loss-doctor.rules.yml by deploy/k8s/generate-prometheusrule.py.
# Do not edit: edit the rules file and run the script (a test fails when the two disagree).
# Your Prometheus' ruleSelector must match these labels (kube-prometheus-stack: add `release: <your release>`).
"""


def render():
    with open(RULES, encoding="utf-8") as f:
        rules = yaml.safe_load(f)
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "loss-doctor",
            "labels": {"app.kubernetes.io/name": "loss-doctor", "role": "alert-rules"},
        },
        "spec": {"groups": rules["groups"]},
    }
    return HEADER + yaml.safe_dump(resource, sort_keys=False, allow_unicode=True, width=100000)


def main(argv):
    text = render()
    if "--check" in argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("%s is out of date: run %s" % (OUT, sys.argv[0]), file=sys.stderr)
                return 1
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote " + OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
