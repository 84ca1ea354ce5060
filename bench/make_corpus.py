#!/usr/bin/env python3
"""Make Loss Doctor's own labelled benchmark corpus: real training curves of small PyTorch
models on scikit-learn's bundled / generated datasets (nothing is downloaded).

    /usr/bin/python3 bench/make_corpus.py                 # re-create bench/corpus/
    /usr/bin/python3 bench/make_corpus.py --labels plateau --dry-run   # try one label's recipes

Every run is labelled by construction (the recipe is chosen to produce one behaviour) AND
checked on the curve it actually produced (the same kind of evidence the shared dev labels
carry: val-loss argmin, relative changes in the last third, sign-change ratio, rise after the
minimum...). A recipe whose curve does not show its label is retried with another seed (up to
MAX_ATTEMPTS) and skipped if it still does not; the skipped recipes are printed.

Output (one run per file, opaque ids, labels shuffled):
    bench/corpus/pc-NNN.jsonl    run_started, metrics..., run_finished (DESIGN.md section 2)
    bench/corpus/labels.jsonl    run_id, file, label, onset_epoch, granularity, evidence,
                                 generator, accept (the schema of ../shared/curves/dev)

Needs Debian's python3-torch, python3-sklearn, python3-numpy. Deterministic: fixed seeds,
one thread; re-running re-creates the same corpus on the same torch build.
"""
import argparse
import json
import math
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone

import numpy as np
import torch
from sklearn import datasets
from sklearn.model_selection import train_test_split
from torch import nn

torch.set_num_threads(1)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
MAX_ATTEMPTS = 3
MAX_PER_LABEL = 8
SHUFFLE_SEED = 20260201
NAN_TAIL = 2  # epochs a trainer keeps logging after the loss went non-finite, then it stops
BASE_TIME = datetime(2026, 2, 1, 8, 0, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------- data

def load_data(spec):
    """X, y, task ('classification' | 'regression'), number of classes, dataset description."""
    name = spec["name"]
    seed = spec.get("seed", 0)
    if name == "wine":
        X, y = datasets.load_wine(return_X_y=True)
        desc = "sklearn.load_wine"
    elif name == "iris":
        X, y = datasets.load_iris(return_X_y=True)
        desc = "sklearn.load_iris"
    elif name == "digits":
        X, y = datasets.load_digits(return_X_y=True)
        desc = "sklearn.load_digits"
    elif name == "breast_cancer":
        X, y = datasets.load_breast_cancer(return_X_y=True)
        desc = "sklearn.load_breast_cancer"
    elif name == "diabetes":
        X, y = datasets.load_diabetes(return_X_y=True)
        desc = "sklearn.load_diabetes"
    elif name == "moons":
        X, y = datasets.make_moons(n_samples=spec["n"], noise=spec["noise"], random_state=seed)
        desc = "sklearn.make_moons(n=%d,noise=%s)" % (spec["n"], spec["noise"])
    elif name == "circles":
        X, y = datasets.make_circles(n_samples=spec["n"], noise=spec["noise"], factor=spec.get("factor", 0.5),
                                     random_state=seed)
        desc = "sklearn.make_circles(n=%d,noise=%s,factor=%s)" % (spec["n"], spec["noise"], spec.get("factor", 0.5))
    elif name == "classification":
        X, y = datasets.make_classification(
            n_samples=spec["n"], n_features=spec["features"], n_informative=spec["informative"],
            n_redundant=spec.get("redundant", 2), n_classes=spec["classes"], n_clusters_per_class=spec.get("clusters", 2),
            flip_y=spec.get("flip_y", 0.01), class_sep=spec.get("sep", 1.0), random_state=seed)
        desc = "sklearn.make_classification(n=%d,features=%d,informative=%d,classes=%d)" % (
            spec["n"], spec["features"], spec["informative"], spec["classes"])
    elif name == "regression":
        X, y = datasets.make_regression(n_samples=spec["n"], n_features=spec["features"],
                                        n_informative=spec["informative"], noise=spec["noise"], random_state=seed)
        if spec.get("nonlinear"):
            y = y + 0.02 * y ** 2 * np.sign(X[:, 0])  # a non-linear target a linear model cannot fit
        desc = "sklearn.make_regression(n=%d,features=%d,informative=%d,noise=%s%s)" % (
            spec["n"], spec["features"], spec["informative"], spec["noise"], ",nonlinear" if spec.get("nonlinear") else "")
    else:
        raise ValueError(name)
    task = "regression" if name in ("diabetes", "regression") else "classification"
    n_classes = int(y.max()) + 1 if task == "classification" else 0
    return X.astype(np.float64), y, task, n_classes, desc


def split(spec, X, y, task, split_seed, train_size=None):
    strat = y if task == "classification" else None
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=split_seed, stratify=strat)
    if train_size is not None and train_size < len(Xtr):
        strat = ytr if task == "classification" else None
        Xtr, _, ytr, _ = train_test_split(Xtr, ytr, train_size=train_size, random_state=split_seed, stratify=strat)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd == 0] = 1.0
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    if task == "regression":
        ym, ys = ytr.mean(), ytr.std()
        ytr, yva = (ytr - ym) / ys, (yva - ym) / ys
    return Xtr, Xva, ytr, yva


def corrupt_labels(y, fraction, n_classes, rng):
    """Replace a fraction of the labels by a uniformly random class (which may be the same one)."""
    y = y.copy()
    idx = rng.choice(len(y), size=int(round(fraction * len(y))), replace=False)
    y[idx] = rng.randint(0, n_classes, size=len(idx))
    return y


# ---------------------------------------------------------------- model and training

ACTS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def make_model(n_in, n_out, hidden, act, dropout):
    layers, width = [], n_in
    for h in hidden:
        layers += [nn.Linear(width, h), ACTS[act]()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def make_optimizer(name, params, lr, wd):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name == "sgd_momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
    raise ValueError(name)


def lr_at(recipe, epoch):
    """The learning rate used during an epoch (1-based) under the recipe's schedule."""
    lr, s, E = recipe["lr"], recipe.get("sched"), recipe["epochs"]
    if not s:
        return lr
    t = s["type"]
    if t == "cosine":
        return lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / max(1, E - 1))))
    if t == "step":  # multiply by factor from epoch at+1 on
        return lr * (s["factor"] if epoch > s["at"] else 1.0)
    if t == "multistep":
        return lr * s["gamma"] ** sum(1 for m in s["milestones"] if epoch > m)
    if t == "exp":
        return lr * s["gamma"] ** (epoch - 1)
    if t == "warmup":  # linear from lr to `to` over `over` epochs, then held
        return lr + (s["to"] - lr) * min(1.0, (epoch - 1) / max(1, s["over"] - 1))
    raise ValueError(t)


def describe_model(recipe):
    m = recipe["model"]
    if not m["hidden"]:
        return "linear"
    s = "mlp-%s-%s" % ("x".join(str(h) for h in m["hidden"]), m["act"])
    return s + ("-dropout%g" % m["dropout"] if m.get("dropout") else "")


def train(recipe, seed):
    """Train one run; returns (config, points, status). A point is a dict of epoch, step, metrics."""
    X, y, task, C, desc = load_data(recipe["data"])
    Xtr, Xva, ytr, yva = split(recipe["data"], X, y, task, split_seed=seed, train_size=recipe.get("train_size"))
    rng = np.random.RandomState(seed)
    if recipe.get("label_noise"):
        ytr = corrupt_labels(ytr, recipe["label_noise"], C, rng)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)

    loss_name = recipe.get("loss") or ("mse" if task == "regression" else "cross_entropy")
    binary = loss_name == "bce"
    xt, xv = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
    if task == "regression":
        yt, yv = torch.tensor(ytr, dtype=torch.float32)[:, None], torch.tensor(yva, dtype=torch.float32)[:, None]
        n_out, crit = 1, nn.MSELoss()
    elif binary:
        yt, yv = torch.tensor(ytr, dtype=torch.float32)[:, None], torch.tensor(yva, dtype=torch.float32)[:, None]
        n_out, crit = 1, nn.BCEWithLogitsLoss()
    else:
        yt, yv = torch.tensor(ytr, dtype=torch.long), torch.tensor(yva, dtype=torch.long)
        n_out, crit = C, nn.CrossEntropyLoss()
    m = recipe["model"]
    model = make_model(xt.shape[1], n_out, m["hidden"], m["act"], m.get("dropout", 0.0))

    def correct(out, target):
        if task == "regression":
            return None
        if binary:
            return ((out > 0).float() == target).float().sum().item()
        return (out.argmax(1) == target).float().sum().item()

    def evaluate():
        model.eval()
        with torch.no_grad():
            out = model(xv)
            loss = crit(out, yv).item()
            c = correct(out, yv)
        model.train()
        return loss, (None if c is None else c / len(xv))

    bs = recipe["bs"]
    if recipe.get("pretrain"):  # a short warm start that is not logged (the run "resumes" from it)
        p = recipe["pretrain"]
        opt = make_optimizer(p["opt"], model.parameters(), p["lr"], 0.0)
        for _ in range(p["epochs"]):
            for idx in torch.randperm(len(xt), generator=gen).split(bs):
                opt.zero_grad()
                crit(model(xt[idx]), yt[idx]).backward()
                opt.step()

    opt = make_optimizer(recipe["opt"], model.parameters(), recipe["lr"], recipe.get("wd", 0.0))
    every = recipe.get("log_every_steps")
    points, step, nonfinite_at = [], 0, None
    model.train()
    for epoch in range(1, recipe["epochs"] + 1):
        lr = lr_at(recipe, epoch)
        for g in opt.param_groups:
            g["lr"] = lr
        sum_loss = sum_correct = 0.0
        n_seen = 0
        for idx in torch.randperm(len(xt), generator=gen).split(bs):
            opt.zero_grad()
            out = model(xt[idx])
            loss = crit(out, yt[idx])
            loss.backward()
            opt.step()
            step += 1
            lv = loss.item()
            sum_loss += lv * len(idx)
            c = correct(out.detach(), yt[idx])
            sum_correct += c or 0.0
            n_seen += len(idx)
            if every and step % every == 0:
                points.append(point(epoch, step, sum_loss / n_seen, None if c is None else sum_correct / n_seen,
                                    evaluate(), lr))
                sum_loss = sum_correct = 0.0
                n_seen = 0
        if not every:
            points.append(point(epoch, step, sum_loss / n_seen, None if task == "regression" else sum_correct / n_seen,
                                evaluate(), lr))
        last = points[-1]["metrics"]
        if nonfinite_at is None and not (math.isfinite(last["train_loss"]) and math.isfinite(last["val_loss"])):
            nonfinite_at = epoch
        if nonfinite_at is not None and epoch >= nonfinite_at + NAN_TAIL:
            break
    config = {
        "optimizer": recipe["opt"], "lr": recipe["lr"], "batch_size": bs, "task": task,
        "loss": {"cross_entropy": "cross_entropy", "bce": "binary_cross_entropy", "mse": "mse"}[loss_name],
        "output_activation": "linear" if task == "regression" else ("sigmoid" if binary else "softmax"),
        "model": describe_model(recipe), "dataset": desc, "train_size": len(xt),
        "max_epochs": recipe["epochs"], "weight_decay": recipe.get("wd", 0.0), "dropout": m.get("dropout", 0.0),
    }
    return config, points, ("failed" if nonfinite_at is not None else "completed")


def point(epoch, step, train_loss, train_acc, val, lr):
    val_loss, val_acc = val
    metrics = {"train_loss": train_loss, "val_loss": val_loss}
    if train_acc is not None:
        metrics["train_accuracy"] = train_acc
        metrics["val_accuracy"] = val_acc
    metrics["lr"] = lr
    return {"epoch": epoch, "step": step, "metrics": metrics}


_reference = {}


def reference_min_val_loss(data_spec):
    """The lowest validation loss a sound model reaches on the same data and split (for 'stuck high')."""
    key = json.dumps(data_spec, sort_keys=True)
    if key not in _reference:
        r = {"data": data_spec, "model": {"hidden": [64, 64], "act": "relu"}, "opt": "adam", "lr": 3e-3, "bs": 32,
             "epochs": 60}
        _, pts, _ = train(r, seed=12345)
        _reference[key] = min(p["metrics"]["val_loss"] for p in pts if math.isfinite(p["metrics"]["val_loss"]))
    return _reference[key]


# ---------------------------------------------------------------- evidence: what the curve shows

def fin(v):
    return v is not None and math.isfinite(v)


def rel(a, b):
    return (a - b) / abs(b) if b else 0.0


def sign_change_ratio(xs):
    d = [xs[i + 1] - xs[i] for i in range(len(xs) - 1) if fin(xs[i]) and fin(xs[i + 1])]
    d = [x for x in d if x != 0]
    return sum(1 for i in range(len(d) - 1) if d[i] * d[i + 1] < 0) / max(1, len(d) - 1)


def trend_to_noise(xs):
    """|fitted linear change over the stretch| / residual standard deviation."""
    xs = [x for x in xs if fin(x)]
    n = len(xs)
    if n < 4:
        return 0.0
    t = np.arange(n, dtype=float)
    slope, icpt = np.polyfit(t, xs, 1)
    resid = np.asarray(xs) - (slope * t + icpt)
    sd = resid.std()
    return float(abs(slope * (n - 1)) / sd) if sd > 0 else float("inf")


def common_evidence(points):
    tr = [p["metrics"]["train_loss"] for p in points]
    va = [p["metrics"]["val_loss"] for p in points]
    n = len(points)
    fi = [i for i in range(n) if fin(va[i])]
    imin = min(fi, key=lambda i: va[i])
    last_f = max(fi)
    s = n - math.ceil(n / 3)  # first point of the last third
    trf = [i for i in range(n) if fin(tr[i])]
    ev = {
        "val_argmin_epoch": points[imin]["epoch"],
        "val_argmin_index": imin,
        "val_rise_pct_after_min": round(100 * rel(va[last_f], va[imin]), 3),
        "train_rel_change_last_third": round(rel(tr[-1], tr[s]), 4) if fin(tr[-1]) and fin(tr[s]) else None,
        "val_rel_change_last_third": round(rel(va[-1], va[s]), 4) if fin(va[-1]) and fin(va[s]) else None,
        "nonfinite": any(not fin(x) for x in tr + va),
        "sign_changes_ratio": round(sign_change_ratio(tr), 4),
        "train_last_over_first": round(tr[max(trf)] / tr[0], 4) if tr[0] else None,
        "n_points": n,
    }
    return ev, tr, va


def flat_suffix_start(xs, tol):
    """Earliest index from which every later value stays within tol (relative) of the last value."""
    end = xs[-1]
    k = len(xs) - 1
    while k > 0 and abs(xs[k - 1] - end) <= tol * abs(end):
        k -= 1
    return k


def smoothed_argmin(xs, w=5):
    best, arg = math.inf, 0
    for i in range(len(xs)):
        win = [x for x in xs[max(0, i - w // 2): i + w // 2 + 1] if fin(x)]
        if win and sum(win) / len(win) < best:
            best, arg = sum(win) / len(win), i
    return arg


def judge(label, recipe, points):
    """(ok, reason, onset_epoch, accept, evidence) for one produced curve."""
    ev, tr, va = common_evidence(points)
    n = len(points)
    ep = [p["epoch"] for p in points]
    accept = list(recipe.get("accept", []))
    onset = None
    why = []

    def need(cond, text):
        if not cond:
            why.append(text)

    if label == "learning":
        need(ev["train_rel_change_last_third"] <= -0.05, "train not falling in last third")
        need(ev["val_rel_change_last_third"] <= -0.03, "val not falling in last third")
        need(ev["val_argmin_index"] >= n - 3, "val minimum not at the end")
        need(ev["val_rise_pct_after_min"] <= 1.0, "val rose after its minimum")
        need(not ev["nonfinite"], "non-finite")
    elif label == "converged":
        ref = reference_min_val_loss(recipe["data"])
        s = n - math.ceil(n / 3)
        last = tr[s:]
        d = [abs(last[i + 1] - last[i]) for i in range(len(last) - 1)]
        ev.update({"final_gap": round(va[-1] - tr[-1], 4),
                   "last_third_rel_jitter": round(float(np.median(d)) / abs(float(np.mean(last))), 4),
                   "train_change_last_third_over_descent": round((tr[-1] - tr[s]) / (tr[0] - min(tr)), 4),
                   "val_change_last_third_over_descent": round((va[-1] - va[s]) / (va[0] - min(va)), 4),
                   "reference_min_val_loss": round(ref, 4)})
        # flat on the scale of the run's own descent (a loss near 0 makes plain relative changes noisy)
        need(abs(ev["train_change_last_third_over_descent"]) <= 0.03, "train still moving in last third")
        need(abs(ev["val_change_last_third_over_descent"]) <= 0.03, "val still moving in last third")
        need(ev["train_last_over_first"] <= 0.6, "no real descent")
        need(ev["val_rise_pct_after_min"] <= 5.0, "val rose after its minimum (overfitting)")
        need(va[-1] <= 1.5 * ref + 0.03, "final val far above what the data allows (%.3f vs %.3f)" % (va[-1], ref))
    elif label == "overfitting":
        imin = ev["val_argmin_index"]
        onset = ep[imin]
        s = n - math.ceil(n / 3)
        ev.update({"val_argmin_epoch_smoothed5": ep[smoothed_argmin(va)],
                   "train_drop_after_onset": round(1 - tr[-1] / tr[imin], 4),
                   "val_last_third_mean_over_min": round(float(np.mean(va[s:])) / va[imin], 4)})
        need(ev["val_rise_pct_after_min"] >= 10.0, "val did not rise 10% after its minimum")
        need(ev["val_last_third_mean_over_min"] >= 1.08, "val rise not sustained")
        need(ev["train_drop_after_onset"] >= 0.3, "train did not keep falling after the val minimum")
        need(imin <= 0.6 * n, "val minimum too late")
        need(not ev["nonfinite"], "non-finite")
    elif label == "plateau":
        ref = reference_min_val_loss(recipe["data"])
        k = max(flat_suffix_start(tr, 0.02), flat_suffix_start(va, 0.02))
        onset = ep[k]
        ev.update({"flat_stretch_len": n - k,
                   "flat_stretch_train_change_pct": round(100 * rel(tr[-1], tr[k]), 4),
                   "flat_stretch_val_change_pct": round(100 * rel(va[-1], va[k]), 4),
                   "plateau_val_level": round(va[-1], 4), "reference_min_val_loss": round(ref, 4)})
        need(n - k >= 0.5 * n, "flat stretch shorter than half the run")
        need(va[-1] >= 2.0 * ref and va[-1] - ref >= 0.1, "plateau not high above what the data allows")
        if "expect_onset" in recipe:
            need(abs(onset - recipe["expect_onset"]) <= 2, "flat stretch starts at %s, not at the lr cut" % onset)
    elif label == "data_issue":
        onset = 1
        ev.update({"train_max_drop_pct": round(100 * (tr[0] - min(tr)) / abs(tr[0]), 4),
                   "val_drop_pct": round(100 * (va[0] - min(va)) / abs(va[0]), 4),
                   "label_noise": recipe["label_noise"]})
        need(ev["train_max_drop_pct"] <= 8.0, "train loss fell more than 8%")
        need(ev["val_drop_pct"] >= 10.0, "val loss did not fall 10%")
        need(ev["val_drop_pct"] >= 2.5 * ev["train_max_drop_pct"], "val drop not well beyond the train drop")
        need(ev["val_rise_pct_after_min"] <= 5.0, "val rose (memorising the noise)")
    elif label == "diverging":
        trf = [(i, x) for i, x in enumerate(tr) if fin(x)]
        first_nf = next((i for i in range(n) if not (fin(tr[i]) and fin(va[i]))), None)
        i0 = min(trf, key=lambda t: t[1])[0]
        onset = ep[i0]
        after = [x for i, x in trf if i >= i0]
        ev.update({"first_nonfinite_index": first_nf,
                   "max_rise_ratio": round(max(after) / tr[i0], 4),
                   "onset_rule": "train-loss minimum before the rise"})
        need(first_nf is not None or ev["max_rise_ratio"] >= 3.0, "loss neither non-finite nor rose 3x")
        need(first_nf is not None or tr[-1] >= 2.0 * tr[i0], "loss came back down")
        need(i0 < n - 1, "no rise")
    elif label == "oscillating":
        half = n // 2
        ev.update({"osc_train_sign_changes": round(sign_change_ratio(tr[half:]), 4),
                   "osc_val_sign_changes": round(sign_change_ratio(va[half:]), 4),
                   "osc_rel_amplitude": round(float(np.median(np.abs(np.diff(tr[half:])))) /
                                              abs(float(np.median(tr[half:]))), 4),
                   "osc_val_rel_amplitude": round(float(np.median(np.abs(np.diff(va[half:])))) /
                                                  abs(float(np.median(va[half:]))), 4),
                   "osc_trend_to_noise": round(trend_to_noise(tr[half:]), 4),
                   "osc_val_trend_to_noise": round(trend_to_noise(va[half:]), 4)})
        need(not ev["nonfinite"], "non-finite")
        need(ev["osc_train_sign_changes"] >= 0.4 and ev["osc_val_sign_changes"] >= 0.4, "too few reversals")
        need(max(ev["osc_rel_amplitude"], ev["osc_val_rel_amplitude"]) >= 0.08, "jumps too small")
        need(ev["osc_val_rel_amplitude"] >= 0.05, "validation loss does not jump")
        need(min(ev["osc_trend_to_noise"], ev["osc_val_trend_to_noise"]) <= 1.5, "a clear trend dominates the noise")
        if ev["train_last_over_first"] > 1.0 and "diverging" not in accept:
            accept.append("diverging")  # drifting upward while it jumps: 'diverging' is fair too
    elif label == "underfitting":
        ref = reference_min_val_loss(recipe["data"])
        ev["reference_min_val_loss"] = round(ref, 4)
        need(ev["train_last_over_first"] >= 0.5, "train fell a lot (learning, not underfitting)")
        need(va[-1] >= 2.0 * ref and va[-1] - ref >= 0.1, "val ended near what the data allows")
        need(ev["val_rise_pct_after_min"] <= 1.0, "val rose")
        need(ev["train_rel_change_last_third"] <= 0.005, "train rising")
        need(not ev["nonfinite"], "non-finite")
    else:
        raise ValueError(label)
    return (not why), "; ".join(why), onset, accept, ev


# ---------------------------------------------------------------- the recipes

def R(label, data, hidden, act, opt, lr, bs, epochs, seed, **kw):
    r = {"label": label, "data": data, "model": {"hidden": hidden, "act": act, "dropout": kw.pop("dropout", 0.0)},
         "opt": opt, "lr": lr, "bs": bs, "epochs": epochs, "seed": seed}
    r.update(kw)
    return r


WINE = {"name": "wine"}
IRIS = {"name": "iris"}
DIGITS = {"name": "digits"}
CANCER = {"name": "breast_cancer"}
DIABETES = {"name": "diabetes"}
CIRCLES = {"name": "circles", "n": 1000, "noise": 0.1, "factor": 0.5, "seed": 1}
CIRCLES_NOISY = {"name": "circles", "n": 600, "noise": 0.2, "factor": 0.6, "seed": 2}
CIRCLES_BIG = {"name": "circles", "n": 4000, "noise": 0.08, "factor": 0.5, "seed": 3}
MOONS = {"name": "moons", "n": 1500, "noise": 0.25, "seed": 4}
CLS4 = {"name": "classification", "n": 2000, "features": 20, "informative": 8, "classes": 4, "seed": 5}
CLS3 = {"name": "classification", "n": 1500, "features": 12, "informative": 6, "classes": 3, "seed": 6}
CLS_WIDE = {"name": "classification", "n": 600, "features": 40, "informative": 6, "classes": 2, "flip_y": 0.05,
            "seed": 7}
REG = {"name": "regression", "n": 1000, "features": 10, "informative": 6, "noise": 15.0, "seed": 8}
REG_NL = {"name": "regression", "n": 1200, "features": 8, "informative": 5, "noise": 10.0, "nonlinear": True,
          "seed": 9}
REG_WIDE = {"name": "regression", "n": 400, "features": 30, "informative": 8, "noise": 80.0, "seed": 10}
REG_WIDE2 = {"name": "regression", "n": 400, "features": 20, "informative": 20, "noise": 150.0, "seed": 14}
CLS_BIG = {"name": "classification", "n": 5000, "features": 20, "informative": 8, "classes": 4, "sep": 2.0, "seed": 13}
MOONS_BIG = {"name": "moons", "n": 5000, "noise": 0.1, "seed": 12}
REG_NOISY = {"name": "regression", "n": 1000, "features": 10, "informative": 6, "noise": 60.0, "seed": 11}

RECIPES = [
    # learning: a sound configuration stopped while both losses still fall
    R("learning", WINE, [32], "relu", "sgd", 0.003, 16, 40, 101),
    R("learning", IRIS, [16], "tanh", "adam", 3e-4, 16, 40, 102),
    R("learning", CIRCLES, [32, 32], "relu", "sgd_momentum", 0.002, 32, 30, 103),
    R("learning", CLS4, [64], "relu", "sgd", 0.005, 32, 25, 104),
    R("learning", REG, [32], "relu", "sgd", 0.0005, 32, 30, 105),
    R("learning", DIGITS, [32, 32], "tanh", "rmsprop", 5e-5, 32, 25, 106),
    R("learning", CANCER, [16], "relu", "adagrad", 0.003, 32, 30, 107, loss="bce"),
    R("learning", CLS3, [32, 16], "relu", "adam", 1e-4, 64, 35, 108),
    # converged: regularized, decaying schedule, run until flat
    R("converged", WINE, [32], "relu", "adam", 3e-3, 16, 80, 201, wd=1e-2, dropout=0.2, sched={"type": "cosine"}),
    R("converged", IRIS, [16], "relu", "sgd_momentum", 0.03, 16, 100, 202, wd=1e-3,
      sched={"type": "multistep", "milestones": [40, 70], "gamma": 0.1}),
    R("converged", CIRCLES_NOISY, [32, 32], "relu", "adam", 1e-2, 32, 80, 203, wd=1e-3, sched={"type": "cosine"}),
    R("converged", CLS4, [64], "relu", "sgd_momentum", 0.02, 32, 100, 204, wd=5e-3, dropout=0.3,
      sched={"type": "cosine"}),
    R("converged", REG_NOISY, [16], "relu", "sgd_momentum", 0.01, 32, 100, 205, wd=1e-2, sched={"type": "cosine"}),
    R("converged", DIGITS, [64], "relu", "sgd_momentum", 0.05, 32, 60, 206, wd=1e-3, sched={"type": "cosine"}),
    R("converged", MOONS, [32, 32], "tanh", "rmsprop", 2e-3, 32, 80, 207, wd=1e-4, sched={"type": "exp", "gamma": 0.95}),
    R("converged", CLS3, [32], "relu", "sgd", 0.05, 32, 120, 208, wd=1e-3, sched={"type": "cosine"}),
    # overfitting: few training samples, wide MLP, no regularization, many epochs
    R("overfitting", WINE, [256, 256], "relu", "adam", 1e-3, 8, 150, 301, train_size=40),
    R("overfitting", IRIS, [256, 256], "relu", "adam", 3e-3, 8, 150, 302, train_size=30),
    R("overfitting", CIRCLES_NOISY, [512, 512], "relu", "adam", 1e-3, 16, 200, 303, train_size=60),
    R("overfitting", CLS_WIDE, [256, 256], "relu", "adam", 1e-3, 16, 150, 304, train_size=80),
    R("overfitting", REG_WIDE2, [256, 256], "relu", "adam", 1e-3, 8, 200, 305, train_size=40),
    R("overfitting", DIGITS, [512], "tanh", "sgd_momentum", 0.05, 16, 150, 306, train_size=100),
    R("overfitting", CANCER, [256, 256], "relu", "rmsprop", 1e-3, 8, 150, 307, train_size=50),
    R("overfitting", CLS3, [512, 256], "relu", "adam", 2e-3, 16, 150, 308, train_size=60),
    # plateau: lr cut mid-descent; deep sigmoid stacks stuck at chance; SGD at lr 1e-6 after a warm start
    R("plateau", WINE, [64], "relu", "sgd", 0.01, 16, 70, 401, sched={"type": "step", "at": 4, "factor": 1e-4},
      expect_onset=5),
    R("plateau", CLS4, [64, 64], "relu", "adam", 3e-4, 32, 60, 402, sched={"type": "step", "at": 3, "factor": 1e-5},
      expect_onset=4),
    R("plateau", IRIS, [32], "tanh", "rmsprop", 1e-3, 16, 80, 403, sched={"type": "step", "at": 6, "factor": 1e-4},
      expect_onset=7),
    R("plateau", REG_NL, [64, 64], "relu", "sgd", 0.002, 32, 60, 404, sched={"type": "step", "at": 5, "factor": 1e-5},
      expect_onset=6),
    R("plateau", CIRCLES, [32] * 8, "sigmoid", "sgd", 0.01, 32, 80, 405, accept=["underfitting"]),
    R("plateau", CLS3, [32] * 10, "sigmoid", "sgd", 0.01, 32, 60, 406, accept=["underfitting"]),
    R("plateau", WINE, [64, 64], "relu", "sgd", 1e-6, 16, 60, 407, pretrain={"opt": "sgd", "lr": 0.003, "epochs": 2},
      accept=["underfitting"]),
    R("plateau", CIRCLES_BIG, [64, 64], "relu", "sgd", 1e-6, 32, 60, 408,
      pretrain={"opt": "sgd", "lr": 0.01, "epochs": 2}, accept=["underfitting"]),
    # data_issue: 70-85% of the training labels randomly replaced, validation labels clean
    R("data_issue", CLS_BIG, [32], "relu", "sgd", 0.03, 128, 30, 501, label_noise=0.8),
    R("data_issue", IRIS, [16], "tanh", "sgd", 0.02, 8, 40, 502, label_noise=0.75),
    R("data_issue", CIRCLES_BIG, [32, 32], "relu", "sgd", 0.02, 64, 40, 503, label_noise=0.7),
    R("data_issue", CLS3, [64], "relu", "adam", 3e-4, 64, 40, 504, label_noise=0.8),
    R("data_issue", DIGITS, [64], "relu", "sgd", 0.01, 64, 30, 505, label_noise=0.85),
    R("data_issue", CANCER, [32], "relu", "rmsprop", 1e-4, 32, 40, 506, label_noise=0.75, loss="bce"),
    R("data_issue", MOONS_BIG, [32, 32], "relu", "adam", 1e-3, 128, 40, 507, label_noise=0.75),
    R("data_issue", MOONS_BIG, [32, 32], "tanh", "sgd", 0.05, 128, 40, 508, label_noise=0.7, loss="bce"),
    # diverging: lr grown every epoch, or warmed up to a huge lr (some reach NaN)
    R("diverging", WINE, [64, 64], "relu", "sgd", 0.01, 16, 30, 601, sched={"type": "exp", "gamma": 1.5}),
    R("diverging", CIRCLES, [64, 64], "relu", "adam", 1e-3, 32, 30, 602, sched={"type": "exp", "gamma": 1.6}),
    R("diverging", REG, [64], "relu", "sgd", 0.005, 16, 30, 603, sched={"type": "exp", "gamma": 1.4}),
    R("diverging", IRIS, [64, 64], "tanh", "rmsprop", 1e-3, 16, 30, 604, sched={"type": "exp", "gamma": 1.5}),
    R("diverging", CLS4, [64, 64], "tanh", "sgd_momentum", 0.01, 32, 30, 605,
      sched={"type": "warmup", "to": 3.0, "over": 12}),
    R("diverging", DIGITS, [64], "relu", "sgd", 0.01, 32, 30, 606, sched={"type": "warmup", "to": 10.0, "over": 15}),
    R("diverging", REG_NL, [64, 64], "relu", "adagrad", 0.01, 32, 30, 607, sched={"type": "exp", "gamma": 1.6}),
    R("diverging", DIABETES, [32], "tanh", "sgd_momentum", 0.01, 16, 30, 608, sched={"type": "exp", "gamma": 1.35}),
    # oscillating: batch size 2-8 with a high learning rate (two logged per step)
    R("oscillating", WINE, [64, 64], "tanh", "sgd_momentum", 0.3, 2, 40, 701),
    R("oscillating", IRIS, [64, 64], "relu", "rmsprop", 0.03, 2, 40, 702),
    R("oscillating", CIRCLES, [64, 64], "tanh", "sgd_momentum", 0.3, 2, 30, 703),
    R("oscillating", CLS3, [64, 64], "relu", "adam", 0.03, 4, 40, 704),
    R("oscillating", REG, [64, 64], "relu", "sgd_momentum", 0.03, 4, 40, 705),
    R("oscillating", CIRCLES_NOISY, [64, 64], "tanh", "sgd_momentum", 0.3, 2, 3, 706, log_every_steps=10),
    R("oscillating", CANCER, [64, 64], "tanh", "sgd_momentum", 0.3, 4, 3, 707, log_every_steps=5),
    R("oscillating", CANCER, [64, 64], "tanh", "sgd_momentum", 0.2, 8, 40, 708),
    R("oscillating", MOONS, [64, 64], "tanh", "rmsprop", 0.01, 4, 30, 709),
    # underfitting: linear or tiny models, or lr <= 1e-5, long runs
    R("underfitting", DIGITS, [], "relu", "sgd", 1e-4, 32, 100, 801),
    R("underfitting", CIRCLES, [], "relu", "sgd", 0.01, 32, 100, 802, accept=["plateau"]),
    R("underfitting", CLS4, [2], "relu", "sgd", 0.002, 32, 100, 803),
    R("underfitting", WINE, [64, 64], "relu", "adam", 1e-5, 16, 120, 804),
    R("underfitting", IRIS, [4], "relu", "sgd", 1e-3, 16, 120, 805),
    R("underfitting", REG_NL, [64], "relu", "adam", 5e-6, 32, 100, 806),
    R("underfitting", CANCER, [32, 32], "relu", "rmsprop", 3e-6, 32, 100, 807, loss="bce"),
    R("underfitting", CLS3, [], "relu", "adagrad", 1e-3, 32, 120, 808),
]

LABELS = ["learning", "converged", "overfitting", "plateau", "data_issue", "diverging", "oscillating", "underfitting"]


# ---------------------------------------------------------------- output

def generator_record(recipe, seed, attempt):
    g = {"data": recipe["data"], "model": recipe["model"], "opt": recipe["opt"], "lr": recipe["lr"],
         "bs": recipe["bs"], "epochs": recipe["epochs"]}
    for k in ("sched", "wd", "train_size", "label_noise", "loss", "pretrain", "log_every_steps"):
        if k in recipe:
            g[k] = recipe[k]
    g.update({"seed": seed, "recipe": recipe["seed"], "attempt": attempt})
    return g


def events(run_id, index, config, points, status):
    t0 = BASE_TIME + timedelta(hours=index)
    ts = lambda s: (t0 + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = [{"type": "run_started", "run_id": run_id, "timestamp": ts(0), "config": config}]
    for i, p in enumerate(points, 1):
        out.append({"type": "metrics", "run_id": run_id, "epoch": p["epoch"], "step": p["step"], "timestamp": ts(i),
                    "metrics": p["metrics"]})
    out.append({"type": "run_finished", "run_id": run_id, "epoch": points[-1]["epoch"], "status": status})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--labels", nargs="*", default=LABELS)
    ap.add_argument("--dry-run", action="store_true", help="train and judge, write nothing")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    started = time.time()
    made, skipped = [], []
    for recipe in RECIPES:
        label = recipe["label"]
        if label not in a.labels or sum(1 for m in made if m[0]["label"] == label) >= MAX_PER_LABEL:
            continue
        for attempt in range(MAX_ATTEMPTS):
            seed = recipe["seed"] + 7919 * attempt
            t = time.time()
            config, points, status = train(recipe, seed)
            ok, why, onset, accept, ev = judge(label, recipe, points)
            print("%-12s %-14s seed %-6d %-4s %5.1fs  %s" % (label, recipe["data"]["name"], seed, "ok" if ok else "NO",
                                                         time.time() - t, why), flush=True)
            if a.verbose:
                print("    ", json.dumps(ev))
            if ok:
                made.append((recipe, seed, attempt, config, points, status, onset, accept, ev))
                break
        else:
            skipped.append((label, recipe["data"]["name"], recipe["seed"]))
    random.Random(SHUFFLE_SEED).shuffle(made)
    if not a.dry_run:
        os.makedirs(a.out, exist_ok=True)
        for f in os.listdir(a.out):
            if f.startswith("pc-") and f.endswith(".jsonl"):
                os.remove(os.path.join(a.out, f))
        with open(os.path.join(a.out, "labels.jsonl"), "w", encoding="utf-8") as lf:
            for i, (recipe, seed, attempt, config, points, status, onset, accept, ev) in enumerate(made, 1):
                run_id = "pc-%03d" % i
                with open(os.path.join(a.out, run_id + ".jsonl"), "w", encoding="utf-8") as f:
                    for e in events(run_id, i, config, points, status):
                        f.write(json.dumps(e) + "\n")
                lf.write(json.dumps({
                    "run_id": run_id, "file": run_id + ".jsonl", "label": recipe["label"], "onset_epoch": onset,
                    "granularity": "step" if recipe.get("log_every_steps") else "epoch", "evidence": ev,
                    "generator": generator_record(recipe, seed, attempt), "accept": accept}) + "\n")
    counts = {l: sum(1 for m in made if m[0]["label"] == l) for l in LABELS if l in a.labels}
    print("made %d runs %s in %.0fs" % (len(made), counts, time.time() - started))
    for s in skipped:
        print("skipped (curve never showed its label): %s %s recipe %d" % s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
