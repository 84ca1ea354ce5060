#!/usr/bin/env python3
"""Compute saved by stopping the runs of a sweep at their first `lagging` (issue 11, part 2).

Sweeps from real curves:
  - each TaskSet task of ../shared/curves/external/taskset.jsonl is one sweep (its 100 configs the siblings),
    compared by validation loss;
  - the ImageNet hyper-parameter runs of ../shared/curves/external/opda.jsonl, one sweep per model
    (they log top-1 accuracy, no validation loss: compared by validation accuracy);
  - small sweeps trained here with PyTorch (a grid of learning rate x width of an MLP on scikit-learn data),
    cached in bench/sweeps/ (--retrain to train them again).

For every sweep, `analyze --stop-lagging` replays the runs as if they ran at the same time and each was stopped at
its first `lagging` (a stopped run reports nothing more, so its siblings are compared with what a sweep that stops
runs would have seen). Compute saved = points not trained / all points (a point is an epoch, or a TaskSet
evaluation every 200 steps). The sweep's best run is the one with the best final validation loss (accuracy for
ImageNet); "kept" when it was never stopped.

Next to it, replayed in Python on the same runs (Optuna itself is not installed here):
  - Optuna's MedianPruner with its defaults (n_startup_trials=5, n_warmup_steps=0, interval_steps=1,
    n_min_trials=1): trials run one after the other (Optuna's default, n_jobs=1) in the sweep's order; a trial is
    pruned at step s when its best intermediate value so far is worse than the median of the completed trials'
    values at s (np.nanpercentile, as optuna.pruners._percentile does); pruned trials are not "completed";
  - ASHA, as Optuna's SuccessiveHalvingPruner with min_resource=1, reduction_factor=3, min_early_stopping_rate=0,
    bootstrap_count=0: at rung k (step 3^k) a trial goes on when its value there is in the top 1/3 of all trials
    that reached that rung so far (itself included), the same sequential order.
Steps of the pruners are the points' indices 1, 2, 3, ... (Optuna's trial.report(value, step)).

Usage: python3 bench/sweep_benchmark.py --cmd 'java -jar target/loss-doctor.jar analyze'
"""
import argparse
import collections
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EXTERNAL = os.path.join(HERE, "..", "..", "..", "shared", "curves", "external")
if not os.path.isdir(EXTERNAL):
    EXTERNAL = "/work/shared/curves/external"
OWN = os.path.join(HERE, "sweeps")


# ---------------------------------------------------------------- sweeps

class Run:
    def __init__(self, run_id, config):
        self.run_id, self.config, self.points = run_id, config, []  # points: (x, value) in order of x


def read_runs(path, group, metric):
    """Runs of an event file grouped into sweeps by group(run_id); value = metric (None/NaN -> nan)."""
    runs = collections.OrderedDict()
    for line in open(path):
        e = json.loads(line)
        rid = e["run_id"]
        if e.get("type") == "run_started":
            runs[rid] = Run(rid, e.get("config") or {})
        elif e.get("type", "metrics") == "metrics" and rid in runs:
            v = e["metrics"].get(metric)
            v = float("nan") if v is None or isinstance(v, str) else float(v)
            x = e["epoch"] if e.get("epoch") is not None else e["step"]
            runs[rid].points.append((x, v))
    sweeps = collections.OrderedDict()
    for r in runs.values():
        r.points.sort()
        if r.points:
            sweeps.setdefault(group(r.run_id), []).append(r)
    return sweeps


def real_sweeps():
    out = []
    ts = read_runs(os.path.join(EXTERNAL, "taskset.jsonl"), lambda rid: rid.split("/")[1], "val_loss")
    out += [("taskset/" + k, v, "val_loss", -1) for k, v in ts.items()]
    op = read_runs(os.path.join(EXTERNAL, "opda.jsonl"), lambda rid: rid.split("/")[1], "val_accuracy")
    out += [("imagenet/" + k, v, "val_accuracy", +1) for k, v in op.items()]
    return out


def own_sweeps(retrain):
    os.makedirs(OWN, exist_ok=True)
    grids = [("digits", {"name": "digits"}), ("breast_cancer", {"name": "breast_cancer"}),
             ("moons", {"name": "moons", "n": 600, "noise": 0.3}), ("wine", {"name": "wine"})]
    out = []
    for name, data in grids:
        path = os.path.join(OWN, name + ".jsonl")
        if retrain or not os.path.exists(path):
            train_sweep(name, data, path)
        sw = read_runs(path, lambda rid: "x", "val_loss")
        out.append(("torch/" + name, sw["x"], "val_loss", -1))
    return out


def train_sweep(name, data, path):
    """A grid of learning rates x widths of a two-layer MLP with Adam, 40 epochs each (seconds on a CPU)."""
    sys.path.insert(0, HERE)
    import make_corpus as mc  # data, model and training loop of the corpus
    runs = []
    i = 0
    for lr in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2):
        for width in (4, 16, 64):
            recipe = {"data": data, "model": {"hidden": [width, width], "act": "relu"}, "opt": "adam", "lr": lr,
                      "bs": 32, "epochs": 40}
            config, points, status = mc.train(recipe, seed=7 + i)
            config["sweep_id"] = "torch-" + name
            rid = "sweep-%s/lr%g-w%d" % (name, lr, width)
            runs += mc.events(rid, i, config, points, status)
            i += 1
    with open(path, "w") as f:
        for e in runs:
            f.write(json.dumps(e) + "\n")


# ---------------------------------------------------------------- loss doctor

def lagging_stops(cmd, sweep_id, runs, source):
    """run id -> x of its first lagging, from `analyze --stop-lagging --format jsonl` over the sweep's events."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for line in open(source):
            e = json.loads(line)
            if e["run_id"] not in runs:
                continue
            if e.get("type") == "run_started":
                e = dict(e, config=dict(e.get("config") or {}, sweep_id=sweep_id))
            f.write(json.dumps(e) + "\n")
        name = f.name
    try:
        out = subprocess.run(shlex.split(cmd) + ["--format", "jsonl", "--stop-lagging", name], capture_output=True,
                             text=True, check=True).stdout
    finally:
        os.unlink(name)
    stops = {}
    for line in out.splitlines():
        d = json.loads(line)
        if d["diagnosis"] == "lagging" and d["run_id"] not in stops:
            stops[d["run_id"]] = d["epoch"] if d["epoch"] is not None else d["step"]
    return stops


# ---------------------------------------------------------------- optuna replays

def values(run, sign):
    """The run's reported values, as a minimization (sign -1: loss, +1: accuracy, negated)."""
    return [(-v if sign > 0 else v) for _, v in run.points]


def median_pruner(runs, sign, n_startup=5):
    """Index of the point each pruned trial stopped at (1-based step), for Optuna's MedianPruner defaults."""
    completed = []  # value lists of completed trials
    stops = {}
    for r in runs:
        vals = values(r, sign)
        best = float("nan")
        for step, v in enumerate(vals, 1):
            best = v if math.isnan(best) else (best if math.isnan(v) else min(best, v))
            if len(completed) < n_startup or len(completed) == 0:
                continue
            if math.isnan(best):
                stops[r.run_id] = step
                break
            at = [c[step - 1] for c in completed if len(c) >= step]
            if not at:
                continue
            with np.errstate(all="ignore"):
                p = float(np.nanpercentile(np.array(at, dtype=float), 50)) if not all(math.isnan(a) for a in at) \
                    else float("nan")
            if not math.isnan(p) and best > p:
                stops[r.run_id] = step
                break
        else:
            completed.append(vals)
    return stops


def asha(runs, sign, rf=3, min_resource=1):
    rungs = collections.defaultdict(list)  # rung -> values recorded there
    stops = {}
    for r in runs:
        vals = values(r, sign)
        rung = 0
        for step, v in enumerate(vals, 1):
            pruned = False
            while step >= min_resource * rf ** rung:
                if math.isnan(v):
                    pruned = True
                    break
                rungs[rung].append(v)
                competing = sorted(x for x in rungs[rung])
                idx = max(0, len(competing) // rf - 1)
                if not v <= competing[idx]:
                    pruned = True
                    break
                rung += 1
            if pruned:
                stops[r.run_id] = step
                break
    return stops


# ---------------------------------------------------------------- scoring

def final_value(run, sign):
    finite = [v for _, v in run.points if not math.isnan(v) and math.isfinite(v)]
    if not finite or not math.isfinite(run.points[-1][1]):
        return float("inf")
    v = run.points[-1][1]
    return -v if sign > 0 else v


def score(runs, sign, trained):
    """trained: run id -> points trained. Returns (saved share, best run kept, points total, points saved)."""
    total = sum(len(r.points) for r in runs)
    done = sum(trained.get(r.run_id, len(r.points)) for r in runs)
    best = min(runs, key=lambda r: final_value(r, sign))
    kept = trained.get(best.run_id, len(best.points)) >= len(best.points)
    return (total - done) / total, kept, total, total - done


def trained_from_x(runs, stops):
    out = {}
    for r in runs:
        if r.run_id in stops:
            out[r.run_id] = sum(1 for x, _ in r.points if x <= stops[r.run_id])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", default="java -jar target/loss-doctor.jar analyze")
    ap.add_argument("--retrain", action="store_true", help="train the PyTorch sweeps again")
    ap.add_argument("--only", help="only sweeps whose name contains this")
    ap.add_argument("--json", help="write the per-sweep figures here")
    args = ap.parse_args()

    sweeps = real_sweeps() + own_sweeps(args.retrain)
    sources = {"taskset": os.path.join(EXTERNAL, "taskset.jsonl"), "imagenet": os.path.join(EXTERNAL, "opda.jsonl")}
    rows = []
    print("%-58s %4s | %-14s | %-14s | %-14s" % ("sweep", "runs", "lagging", "MedianPruner", "ASHA"))
    for name, runs, metric, sign in sweeps:
        if args.only and args.only not in name:
            continue
        kind = name.split("/")[0]
        source = sources.get(kind) or os.path.join(OWN, name.split("/")[1] + ".jsonl")
        ids = {r.run_id for r in runs}
        ours = trained_from_x(runs, lagging_stops(args.cmd, name, ids, source))
        med = median_pruner(runs, sign)
        ash = asha(runs, sign)
        row = {"sweep": name, "runs": len(runs), "metric": metric}
        for key, trained in (("lagging", ours), ("median", med), ("asha", ash)):
            saved, kept, total, n = score(runs, sign, trained)
            row[key] = {"saved": saved, "best_kept": kept, "points": total, "points_saved": n}
        rows.append(row)
        cell = lambda k: "%5.1f%% %-8s" % (100 * row[k]["saved"], "kept" if row[k]["best_kept"] else "STOPPED")
        print("%-58s %4d | %s | %s | %s" % (name[:58], len(runs), cell("lagging"), cell("median"), cell("asha")),
              flush=True)
    print()
    for key, label in (("lagging", "lagging (stop at first)"), ("median", "Optuna MedianPruner"), ("asha", "ASHA (rf 3)")):
        pts = sum(r[key]["points"] for r in rows)
        saved = sum(r[key]["points_saved"] for r in rows)
        mean = sum(r[key]["saved"] for r in rows) / len(rows)
        kept = sum(1 for r in rows if r[key]["best_kept"])
        print("%-26s compute saved %5.1f%% of all points (mean over sweeps %5.1f%%), best run kept in %d/%d sweeps (%.0f%%)"
              % (label, 100 * saved / pts, 100 * mean, kept, len(rows), 100 * kept / len(rows)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
