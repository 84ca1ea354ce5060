#!/usr/bin/env python3
"""Score Loss Doctor on a labelled corpus of training runs, next to the anchors' rules.

    python3 bench/benchmark.py bench/corpus --cmd 'java -jar target/loss-doctor.jar analyze --format jsonl'
    python3 bench/benchmark.py bench/corpus                  # the anchors' rules only
    python3 bench/benchmark.py bench/corpus --cmd '...' --json

A corpus is a folder with labels.jsonl (run_id, file, label, onset_epoch, accept) and JSON Lines
files of training events (DESIGN.md section 2). --cmd is run once with every run file of the
corpus appended as arguments; its standard output is read as diagnosis events (JSON Lines with
run_id, epoch, diagnosis); other lines are ignored. --diagnoses FILE reads such events from a file.

The anchors (Keras EarlyStopping / ReduceLROnPlateau / TerminateOnNaN, Lightning EarlyStopping,
SageMaker Debugger LossNotDecreasing / Overfit / Overtraining) are implemented below from their
documentation, with their documented defaults, and replayed on the same curves.

Scores (the definitions of ../shared/bench/score.py):
  typed recall     mean over the problem labels of the fraction of runs whose problem is named
                   (the label, or one of the run's `accept` codes) at or after onset - 2 epochs
  any-signal       fraction of problem runs with any problem signal (or a stop) at/after onset - 2
  false alarms     fraction of healthy runs (learning, converged) given a problem code that is
                   not in the run's accept list
  learning stopped fraction of 'learning' runs given any problem code or stop
  median lag       epochs from the labelled onset to the first correct name (runs with an onset)
  premature        fraction of problem runs signalled before onset - 2
Python 3 standard library only.
"""
import argparse
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
from collections import defaultdict

PROBLEMS = ["overfitting", "plateau", "data_issue", "diverging", "oscillating", "underfitting"]
HEALTHY = ["learning", "converged"]
TOLERANCE = 2  # a detection up to 2 epochs before the labelled onset still counts
STOP = "stop"  # what an early-stopping rule says: a signal, but no diagnosis

ALIASES = {"loss": "train_loss", "accuracy": "train_accuracy", "acc": "train_accuracy",
           "val_acc": "val_accuracy", "learning_rate": "lr"}


# ---------------------------------------------------------------- corpus

def load_corpus(folder):
    runs = []
    with open(os.path.join(folder, "labels.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    for run in runs:
        run["path"] = os.path.join(folder, run["file"])
    return runs


def number(v):
    """A metric value as a float; None, strings and non-finite values become NaN or +-inf."""
    if v is None:
        return math.nan
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return math.nan
    return float(v)


def read_runs(path):
    """{run_id: [points]} of one file (one run or many interleaved); a point is (epoch, metrics)."""
    by_run = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)  # json reads the bare NaN / Infinity tokens Python writes
            if e.get("type", "metrics") != "metrics":
                continue
            m = e.get("metrics")
            if m is None:
                m = {k: v for k, v in e.items() if k not in ("type", "run_id", "epoch", "step", "timestamp")}
            m = {ALIASES.get(k, k): number(v) for k, v in m.items() if not isinstance(v, (dict, list, bool))}
            by_run[e.get("run_id")].append((e.get("epoch"), m))
    return by_run


_cache = {}


def points_of(run):
    if run["path"] not in _cache:
        _cache[run["path"]] = read_runs(run["path"])
    return _cache[run["path"]].get(run["run_id"], [])


def series(points, name):
    """(epoch, value) of one metric in the order the trainer logged it; absent points skipped."""
    return [(ep, m[name]) for ep, m in points if name in m]


# ---------------------------------------------------------------- the anchors' rules
# Each returns [(epoch, code)] for the first time the rule fires (a stopping rule ends the run there;
# for the others the first firing is what the rule reports). Codes: 'stop' (a stop with no
# diagnosis) or the diagnosis the rule stands for.

def keras_early_stopping(points, patience, min_delta=0.0):
    """keras.callbacks.EarlyStopping(monitor='val_loss', min_delta=0, patience=...), mode 'auto' -> 'min'.

    Docs: https://keras.io/api/callbacks/early_stopping/ -- "min_delta: Minimum change in the monitored
    quantity to qualify as an improvement, i.e. an absolute change of less than min_delta, will count as
    no improvement. patience: Number of epochs with no improvement after which training will be stopped."
    Semantics as in keras/src/callbacks/early_stopping.py on_epoch_end: wait += 1 first; an improvement
    (current - min_delta < best, min_delta negated in 'min' mode) resets it; stop when wait >= patience
    and epoch > 0. A NaN never compares as an improvement.
    """
    best, wait = math.inf, 0
    for i, (epoch, v) in enumerate(series(points, "val_loss")):
        wait += 1
        if v + abs(min_delta) < best:
            best, wait = v, 0
            continue
        if wait >= patience and i > 0:
            return [(epoch, STOP)]
    return []


def keras_reduce_lr_on_plateau(points, patience=10, min_delta=1e-4, cooldown=0):
    """keras.callbacks.ReduceLROnPlateau() with its defaults: monitor='val_loss', factor=0.1, patience=10,
    mode='auto', min_delta=1e-4, cooldown=0, min_lr=0.

    Docs: https://keras.io/api/callbacks/reduce_lr_on_plateau/ -- "if no improvement is seen for a
    'patience' number of epochs, the learning rate is reduced"; "min_delta: threshold for measuring the
    new optimum, to only focus on significant changes". Improvement: current < best - min_delta.
    The first reduction is the rule's 'plateau'.
    """
    best, wait, cool = math.inf, 0, 0
    for epoch, v in series(points, "val_loss"):
        if cool > 0:
            cool -= 1
            wait = 0
        if v < best - min_delta:
            best, wait = v, 0
        elif cool == 0:
            wait += 1
            if wait >= patience:
                return [(epoch, "plateau")]
    return []


def keras_terminate_on_nan(points):
    """keras.callbacks.TerminateOnNaN().

    Docs: https://keras.io/api/callbacks/terminate_on_nan/ -- "Callback that terminates training when a
    NaN loss is encountered ... monitors the loss value during training and terminates training when a
    NaN or Inf loss is detected." It watches the training loss ('loss' in the logs).
    """
    for epoch, v in series(points, "train_loss"):
        if math.isnan(v) or math.isinf(v):
            return [(epoch, "diverging")]
    return []


def lightning_early_stopping(points, patience=3, min_delta=0.0, check_finite=True):
    """lightning.pytorch.callbacks.EarlyStopping(monitor='val_loss') with its defaults: min_delta=0.0,
    patience=3, mode='min', check_finite=True.

    Docs: https://lightning.ai/docs/pytorch/stable/api/lightning.pytorch.callbacks.EarlyStopping.html --
    "min_delta: ... an absolute change of less than or equal to min_delta, will count as no improvement";
    "patience: number of checks with no improvement after which training will be stopped";
    "check_finite: When set True, stops training when the monitor becomes NaN or infinite."
    A non-finite stop is reported as 'diverging', a patience stop as 'stop'.
    """
    best, wait = math.inf, 0
    for epoch, v in series(points, "val_loss"):
        if check_finite and not math.isfinite(v):
            return [(epoch, "diverging")]
        if v + abs(min_delta) < best:
            best, wait = v, 0
        else:
            wait += 1
            if wait >= patience:
                return [(epoch, STOP)]
    return []


def sagemaker_loss_not_decreasing(points, num_steps=10, diff_percent=0.0):
    """SageMaker Debugger built-in rule LossNotDecreasing (num_steps=10, diff_percent default: "checks if
    the loss is decreasing between num_steps"; mode default: EVAL first, so the validation loss).

    Docs: https://docs.aws.amazon.com/sagemaker/latest/dg/debugger-built-in-rules.html#loss-not-decreasing
    -- "Rule evaluation happens every num_steps. The rule compares the loss for this step with the loss
    at a step which is at least num_steps behind the current step." One EVAL-mode step per logged
    validation point here. Fires ('plateau') when the loss did not decrease by diff_percent.
    """
    pts = series(points, "val_loss")
    for i in range(num_steps, len(pts), num_steps):
        then, now = pts[i - num_steps][1], pts[i][1]
        if not (then - now > abs(then) * diff_percent / 100.0):  # NaN: not decreasing
            return [(pts[i][0], "plateau")]
    return []


def sagemaker_overfit(points, start_step=0, patience=1, ratio_threshold=0.1):
    """SageMaker Debugger built-in rule Overfit (start_step=0, patience=1, ratio_threshold=0.1).

    Docs: https://docs.aws.amazon.com/sagemaker/latest/dg/debugger-built-in-rules.html#overfit --
    "ratio_threshold: The maximum ratio of the difference between the mean validation loss and mean
    training loss to the mean training loss. If this threshold is exceeded for a patience number of
    steps, the model is being overfit"; "start_step: The step from which to start comparing".
    Steps are the logged points; the train and val loss of the same point are compared.
    """
    streak = 0
    for i, (epoch, m) in enumerate(points):
        if i < start_step or "train_loss" not in m or "val_loss" not in m:
            continue
        t, v = m["train_loss"], m["val_loss"]
        if not t or not math.isfinite(t):
            streak = 0
            continue
        streak = streak + 1 if (v - t) / t > ratio_threshold else 0
        if streak >= patience:
            return [(epoch, "overfitting")]
    return []


def sagemaker_overtraining(points, patience_train=5, patience_validation=10, delta=0.1):
    """SageMaker Debugger built-in rule Overtraining (patience_train=5, patience_validation=10, delta=0.1).

    Docs: https://docs.aws.amazon.com/sagemaker/latest/dg/debugger-built-in-rules.html#overtraining --
    "patience_train: The number of steps to wait before the training loss is considered to not to be
    improving anymore"; "patience_validation: ... the validation loss ..."; "delta: The minimum threshold
    by how much the error should improve before it is considered as a new optimum" (default 0.1 in the
    AWS guide; ../shared/bench/score.py uses 0.01, both are printed). Fires ('overfitting') at the first
    point where either loss has gone its patience without improving by delta.
    """
    fired = []
    for name, patience in (("train_loss", patience_train), ("val_loss", patience_validation)):
        best, wait = math.inf, 0
        for epoch, v in series(points, name):
            if v < best - delta:
                best, wait = v, 0
            else:
                wait += 1
                if wait >= patience:
                    fired.append((epoch, "overfitting"))
                    break
    return [min(fired, key=lambda f: f[0])] if fired else []


BASELINES = {
    "keras EarlyStopping(patience=5)": lambda p: keras_early_stopping(p, 5),
    "keras EarlyStopping(patience=10)": lambda p: keras_early_stopping(p, 10),
    "keras ReduceLROnPlateau()": keras_reduce_lr_on_plateau,
    "keras TerminateOnNaN()": keras_terminate_on_nan,
    "lightning EarlyStopping()": lightning_early_stopping,
    "sagemaker LossNotDecreasing()": sagemaker_loss_not_decreasing,
    "sagemaker Overfit()": sagemaker_overfit,
    "sagemaker Overtraining()": sagemaker_overtraining,
    "sagemaker Overtraining(delta=0.01)": lambda p: sagemaker_overtraining(p, delta=0.01),
}


def baseline_diagnoses(rule, runs):
    return {r["run_id"]: rule(points_of(r)) for r in runs}


# ---------------------------------------------------------------- the system under test

def parse_diagnoses(text):
    by_run = defaultdict(list)
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if isinstance(d, dict) and "run_id" in d and "diagnosis" in d:
            epoch = d.get("epoch")
            by_run[d["run_id"]].append((epoch if isinstance(epoch, (int, float)) else math.inf,
                                        str(d["diagnosis"]).lower()))
    return by_run


def run_command(cmd, runs, timeout):
    args = shlex.split(cmd) + sorted({r["path"] for r in runs})
    try:
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except FileNotFoundError as e:
        sys.exit("benchmark: cannot run %r: %s" % (cmd, e))
    except subprocess.TimeoutExpired:
        sys.exit("benchmark: %r took longer than %ds" % (cmd, timeout))
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        sys.exit("benchmark: the command exited with %d" % done.returncode)
    return parse_diagnoses(done.stdout)


# ---------------------------------------------------------------- scoring

def score(runs, by_run):
    """Per run: was its problem named at/after onset - 2; did a healthy run get a problem or a stop."""
    rows = []
    for r in runs:
        label, onset = r["label"], r.get("onset_epoch")
        found = sorted(by_run.get(r["run_id"], []), key=lambda x: x[0])
        start = -math.inf if onset is None else onset - TOLERANCE
        problems = [(ep, d) for ep, d in found if d in PROBLEMS or d == STOP]
        row = {"run_id": r["run_id"], "label": label}
        if label in PROBLEMS:
            accepted = {label, *r.get("accept", [])}
            named = [ep for ep, d in problems if d in accepted and ep >= start]
            signalled = [ep for ep, _ in problems if ep >= start]
            row["hit"] = bool(named)
            row["signal"] = bool(signalled)
            row["lag"] = max(0, named[0] - onset) if named and onset is not None else None
            row["signal_lag"] = max(0, signalled[0] - onset) if signalled and onset is not None else None
            row["premature"] = any(ep < start for ep, _ in problems)
            row["first"] = next((d for ep, d in problems if ep >= start), "none")
        elif label in HEALTHY:
            fair = set(r.get("accept", []))
            row["false_alarm"] = any(d in PROBLEMS and d not in fair for _, d in problems)
            row["stopped"] = any(d not in fair for _, d in problems)
            row["named_healthy"] = any(d == label or (label == "learning" and d == "undertrained") for _, d in found)
        rows.append(row)
    return rows


def _median(xs):
    xs = [x for x in xs if x is not None and x != math.inf]
    return statistics.median(xs) if xs else None


def summarize(name, rows):
    by_label = defaultdict(list)
    for row in rows:
        by_label[row["label"]].append(row)
    prob = [r for r in rows if r["label"] in PROBLEMS]
    healthy = [r for r in rows if r["label"] in HEALTHY]
    learning = by_label["learning"]
    recalls = {l: sum(r["hit"] for r in by_label[l]) / len(by_label[l]) for l in PROBLEMS if by_label[l]}
    s = {
        "system": name,
        "runs": len(rows),
        "typed_recall": round(statistics.mean(recalls.values()), 3) if recalls else 0.0,
        "any_signal_recall": round(sum(r["signal"] for r in prob) / max(1, len(prob)), 3),
        "false_alarm_rate": round(sum(r["false_alarm"] for r in healthy) / max(1, len(healthy)), 3),
        "learning_stopped_rate": round(sum(r["stopped"] for r in learning) / max(1, len(learning)), 3),
        "median_lag": _median([r["lag"] for r in prob]),
        "median_signal_lag": _median([r["signal_lag"] for r in prob]),
        "premature_rate": round(sum(r["premature"] for r in prob) / max(1, len(prob)), 3),
        "healthy_named_rate": round(sum(r["named_healthy"] for r in healthy) / max(1, len(healthy)), 3),
        "recall_by_label": {l: round(v, 3) for l, v in recalls.items()},
        "median_lag_by_label": {l: _median([r["lag"] for r in by_label[l]]) for l in PROBLEMS
                                if _median([r["lag"] for r in by_label[l]]) is not None},
    }
    confusion = defaultdict(lambda: defaultdict(int))
    for r in prob:
        confusion[r["label"]][r["first"]] += 1
    s["first_problem_named"] = {l: dict(c) for l, c in sorted(confusion.items())}
    s["misses"] = sorted(r["run_id"] for r in prob if not r["hit"])
    s["false_alarms"] = sorted(r["run_id"] for r in healthy if r["false_alarm"])
    return s


# ---------------------------------------------------------------- output

def fmt(v):
    return "–" if v is None else ("%g" % v if isinstance(v, (int, float)) else str(v))


def markdown(summaries, runs):
    counts = defaultdict(int)
    for r in runs:
        counts[r["label"]] += 1
    out = ["%d runs: %s" % (len(runs), ", ".join("%s %d" % (l, counts[l]) for l in HEALTHY + PROBLEMS if counts[l])),
           "",
           "| system | runs | typed recall | any-signal recall | false alarms (healthy) | learning stopped "
           "| median lag (epochs) | premature |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in summaries:
        out.append("| %s | %d | %.3f | %.3f | %.3f | %.3f | %s | %.3f |" % (
            s["system"], s["runs"], s["typed_recall"], s["any_signal_recall"], s["false_alarm_rate"],
            s["learning_stopped_rate"], fmt(s["median_lag"]), s["premature_rate"]))
    labels = [l for l in PROBLEMS if counts[l]]
    out += ["", "Recall by label (problem named at or after onset - %d):" % TOLERANCE, "",
            "| system | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    for s in summaries:
        out.append("| %s | %s |" % (s["system"], " | ".join("%.2f" % s["recall_by_label"].get(l, 0.0)
                                                            for l in labels)))
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus"))
    p.add_argument("--cmd", help="command printing diagnosis events; the corpus files are appended")
    p.add_argument("--name", default="loss-doctor", help="the system's name in the table")
    p.add_argument("--diagnoses", help="read diagnosis events from this file instead of running a command")
    p.add_argument("--no-baselines", action="store_true", help="skip the anchors' rules")
    p.add_argument("--json", action="store_true", help="one JSON object: the summaries")
    p.add_argument("--timeout", type=int, default=900)
    a = p.parse_args(argv)
    runs = load_corpus(a.corpus)
    summaries = []
    if a.cmd:
        summaries.append(summarize(a.name, score(runs, run_command(a.cmd, runs, a.timeout))))
    if a.diagnoses:
        with open(a.diagnoses, encoding="utf-8") as f:
            summaries.append(summarize(os.path.basename(a.diagnoses), score(runs, parse_diagnoses(f.read()))))
    if not a.no_baselines:
        for name, rule in BASELINES.items():
            summaries.append(summarize(name, score(runs, baseline_diagnoses(rule, runs))))
    if not summaries:
        p.error("nothing to score: give --cmd or --diagnoses, or drop --no-baselines")
    if a.json:
        print(json.dumps({"corpus": os.path.abspath(a.corpus), "runs": len(runs), "tolerance_epochs": TOLERANCE,
                          "systems": summaries}, sort_keys=True))
    else:
        print(markdown(summaries, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
