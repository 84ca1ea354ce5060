#!/usr/bin/env python3
"""Add learning-rate-schedule runs to Loss Doctor's benchmark corpus (issue 13, item 7): real
curves of small PyTorch MLPs on scikit-learn data, trained under the schedules people use today
(warm-up + cosine, step decay, linear decay to zero), some logged per step, with loss spikes
injected (one that recovers, one that does not).

    /usr/bin/python3 bench/make_schedule_corpus.py            # (re)writes bench/corpus/sc-*.jsonl
    /usr/bin/python3 bench/make_schedule_corpus.py --dry-run  # train and judge, write nothing

The runs are written as bench/corpus/sc-NNN.jsonl and their labels appended to
bench/corpus/labels.jsonl (earlier sc- lines replaced; the pc- runs of make_corpus.py untouched).
Every metrics event carries the learning rate in force (`lr`), as a scheduler-aware trainer logs it.
Labels follow make_corpus.py: a recipe names its behaviour and the produced curve is checked
(a recipe whose curve does not show it is reported and skipped).

The schedule is applied per optimizer step: warm-up linear from `start` x lr, then cosine or
linear decay to `end` x lr at the last step; step decay multiplies by `gamma` at each milestone
epoch. A recovering spike is injected at one step by adding noise to every weight (`spike.noise` times
the spread of its tensor); a spike that does not recover multiplies the learning rate from one
step on (`spike.factor`, `spike.hold`), like a real run whose rate jumped from 0.02 to 1.5.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_corpus as mc  # noqa: E402  (the data, models, judging and event writing of the main corpus)

torch.set_num_threads(1)
OUT = mc.OUT


def lr_at_step(r, epoch, step, total_steps, steps_per_epoch):
    """The learning rate of one optimizer step (1-based step, 1-based epoch)."""
    s = r["sched"]
    base = r["lr"]
    warm = int(s.get("warmup_epochs", 0) * steps_per_epoch)
    if warm and step <= warm:
        start = s.get("start", 0.0)
        return base * (start + (1 - start) * step / warm)
    t = s["type"]
    if t == "cosine":
        p = (step - warm) / max(1, total_steps - warm)
        end = s.get("end", 0.0)
        return base * (end + (1 - end) * 0.5 * (1 + math.cos(math.pi * p)))
    if t == "linear":
        p = (step - warm) / max(1, total_steps - warm)
        end = s.get("end", 0.0)
        return base * (1 - (1 - end) * p)
    if t == "multistep":
        return base * s["gamma"] ** sum(1 for m in s["milestones"] if epoch > m)
    if t == "constant":
        return base
    raise ValueError(t)


def train(r, seed):
    X, y, task, C, desc = mc.load_data(r["data"])
    Xtr, Xva, ytr, yva = mc.split(r["data"], X, y, task, split_seed=seed, train_size=r.get("train_size"))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xt, xv = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
    if task == "regression":
        yt, yv = torch.tensor(ytr, dtype=torch.float32)[:, None], torch.tensor(yva, dtype=torch.float32)[:, None]
        n_out, crit = 1, nn.MSELoss()
    else:
        yt, yv = torch.tensor(ytr, dtype=torch.long), torch.tensor(yva, dtype=torch.long)
        n_out, crit = C, nn.CrossEntropyLoss()
    m = r["model"]
    model = mc.make_model(xt.shape[1], n_out, m["hidden"], m["act"], m.get("dropout", 0.0))
    opt = mc.make_optimizer(r["opt"], model.parameters(), r["lr"], r.get("wd", 0.0))
    bs, E = r["bs"], r["epochs"]
    spe = math.ceil(len(xt) / bs)
    total = spe * E
    every = r.get("log_every_steps")
    spike = r.get("spike")

    def evaluate():
        model.eval()
        with torch.no_grad():
            out = model(xv)
            loss = crit(out, yv).item()
            acc = None if task == "regression" else (out.argmax(1) == yv).float().mean().item()
        model.train()
        return loss, acc

    points, step, nonfinite_at = [], 0, None
    for epoch in range(1, E + 1):
        sl = sc = 0.0
        n = 0
        lr = r["lr"]
        for idx in torch.randperm(len(xt), generator=gen).split(bs):
            step += 1
            lr = lr_at_step(r, epoch, step, total, spe)
            if spike and spike.get("noise") and step == spike["at_step"]:
                # a bad update: every weight knocked off by noise of its own tensor's spread
                with torch.no_grad():
                    for prm in model.parameters():
                        prm.add_(torch.randn(prm.shape, generator=gen) * spike["noise"] * prm.std())
            if spike and spike.get("factor") and spike["at_step"] <= step and (
                    spike.get("hold") or step < spike["at_step"] + spike["steps"]):
                lr *= spike["factor"]
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad()
            out = model(xt[idx])
            loss = crit(out, yt[idx])
            loss.backward()
            opt.step()
            lv = loss.item()
            sl += lv * len(idx)
            n += len(idx)
            if task != "regression":
                sc += (out.detach().argmax(1) == yt[idx]).float().sum().item()
            if every and step % every == 0:
                points.append(mc.point(epoch, step, sl / n, None if task == "regression" else sc / n, evaluate(), lr))
                sl = sc = 0.0
                n = 0
        if not every:
            points.append(mc.point(epoch, step, sl / n, None if task == "regression" else sc / n, evaluate(), lr))
        last = points[-1]["metrics"]
        if nonfinite_at is None and not (math.isfinite(last["train_loss"]) and math.isfinite(last["val_loss"])):
            nonfinite_at = epoch
        if nonfinite_at is not None and epoch >= nonfinite_at + mc.NAN_TAIL:
            break
    config = {"optimizer": r["opt"], "lr": r["lr"], "batch_size": bs, "task": task,
              "loss": "mse" if task == "regression" else "cross_entropy",
              "output_activation": "linear" if task == "regression" else "softmax",
              "model": mc.describe_model(r), "dataset": desc, "train_size": len(xt), "max_epochs": E,
              "weight_decay": r.get("wd", 0.0), "dropout": m.get("dropout", 0.0), "schedule": r["sched"]["type"]
              + ("+warmup" if r["sched"].get("warmup_epochs") else "")}
    return config, points, ("failed" if nonfinite_at is not None else "completed")


def judge(r, points):
    """The main corpus's checks, plus the spike's own: where it is, and whether it recovered."""
    label = r["label"]
    spike = r.get("spike")
    tr = [p["metrics"]["train_loss"] for p in points]
    if spike and not spike.get("hold"):
        # recovering spike: the label is the run's behaviour around it (converged / learning);
        # check the spike is there (a jump of >= 10 times the curve's point-to-point scatter before
        # it) and mostly gone 6 points later (within a quarter of the jump)
        i = next(k for k, p in enumerate(points) if p["step"] >= spike["at_step"])
        before = min(tr[max(0, i - 3):i])
        local = float(np.median(np.abs(np.diff(tr[max(0, i - 10):i]))))
        peak = max(x for x in tr[i:i + 3] if mc.fin(x)) if any(mc.fin(x) for x in tr[i:i + 3]) else math.inf
        after = tr[min(len(tr) - 1, i + 6)]
        ok_spike = (mc.fin(peak) and peak - before >= 10 * local and mc.fin(after)
                    and after - before <= 0.25 * (peak - before))
        ok, why, onset, accept, ev = mc.judge(label, r, points) if label != "converged" else (True, "", None, [], {})
        ev = dict(ev, spike_epoch=points[i]["epoch"], spike_peak_over_before=round(peak / before, 3) if before else None,
                  after_over_before=round(after / before, 3) if before else None)
        if label == "converged":  # a cosine that ends flat: only ask for a real descent and a flat end
            n = len(tr)
            s = n - math.ceil(n / 3)
            desc_ = tr[0] - min(x for x in tr if mc.fin(x))
            flat = abs(tr[-1] - tr[s]) / desc_ if desc_ else 1
            va = [p["metrics"]["val_loss"] for p in points]
            vmin = min(range(n), key=lambda k: va[k])
            # before the spike: the validation loss must not have turned up (that run is overfitting)
            pre_rise = max(va[vmin:i] or [va[vmin]]) / va[vmin] - 1
            why = [w for c, w in ((flat <= 0.05, "train still moving in last third"), (tr[-1] <= 0.6 * tr[0], "no real descent"),
                                  (pre_rise <= 0.05, "val rose after its minimum before the spike")) if not c]
            ok, why = not why, "; ".join(why)
            ev["train_change_last_third_over_descent"] = round(flat, 4)
            ev["val_rise_before_spike"] = round(pre_rise, 4)
        if not ok_spike:
            return False, (why + "; " if why else "") + "spike missing or did not recover", onset, accept, ev
        return ok, why, onset, list(set(accept) | set(r.get("accept", []))), ev
    if spike and spike.get("hold"):
        i = next(k for k, p in enumerate(points) if p["step"] >= spike["at_step"])
        before = min(tr[max(0, i - 3):i])
        rest = [x for x in tr[i:] if mc.fin(x)]
        nonfinite = any(not mc.fin(x) for x in tr[i:])
        ok = nonfinite or (rest and min(rest[2:] or rest) >= 2.0 * before)
        onset = points[i - 1]["epoch"]
        ev = {"spike_epoch": points[i]["epoch"], "before": round(before, 4), "nonfinite": nonfinite,
              "min_after_over_before": round(min(rest[2:] or rest) / before, 3) if rest and before else None}
        return ok, "" if ok else "the loss came back down", onset, list(r.get("accept", [])), ev
    if label == "converged" and r["sched"]["type"] in ("cosine", "linear"):
        # decayed to ~0: flat at the end by construction; ask for a real descent and a flat last third
        n = len(tr)
        s = n - math.ceil(n / 3)
        desc_ = tr[0] - min(tr)
        flat = abs(tr[-1] - tr[s]) / desc_ if desc_ else 1
        va = [p["metrics"]["val_loss"] for p in points]
        vflat = abs(va[-1] - va[s]) / (va[0] - min(va)) if va[0] > min(va) else 1
        ev = {"train_change_last_third_over_descent": round(flat, 4), "val_change_last_third_over_descent": round(vflat, 4),
              "train_last_over_first": round(tr[-1] / tr[0], 4), "val_rise_pct_after_min": round(100 * mc.rel(va[-1], min(va)), 3)}
        why = []
        if flat > 0.05:
            why.append("train still moving in last third")
        if vflat > 0.05:
            why.append("val still moving in last third")
        if tr[-1] > 0.6 * tr[0]:
            why.append("no real descent")
        if ev["val_rise_pct_after_min"] > 5:
            why.append("val rose after its minimum")
        return not why, "; ".join(why), None, list(r.get("accept", [])), ev
    return mc.judge(label, r, points)


def R(label, data, hidden, act, opt, lr, bs, epochs, seed, sched, **kw):
    return mc.R(label, data, hidden, act, opt, lr, bs, epochs, seed, sched=sched, **kw)


WC = lambda w, end=0.0, start=0.0: {"type": "cosine", "warmup_epochs": w, "end": end, "start": start}
LIN = lambda w, end=0.0: {"type": "linear", "warmup_epochs": w, "end": end}
MS = lambda ms, g=0.1: {"type": "multistep", "milestones": ms, "gamma": g}

RECIPES = [
    # warm-up + cosine to 0, run until flat: converged (flat at rate ~0 is the schedule's end)
    R("converged", mc.MOONS_BIG, [32, 32], "relu", "adam", 1e-2, 64, 40, 1101, WC(4), wd=1e-3),
    R("converged", mc.DIGITS, [64], "relu", "sgd_momentum", 0.05, 32, 50, 1102, WC(3), wd=1e-3, dropout=0.2),
    # step decay: plateaus ended by drops, then flat
    R("converged", mc.CIRCLES_NOISY, [32, 32], "relu", "sgd_momentum", 0.05, 32, 90, 1103, MS([30, 60])),
    R("converged", mc.CLS3, [32], "relu", "sgd_momentum", 0.05, 32, 90, 1104, MS([30, 60]), wd=5e-3, dropout=0.3),
    # linear decay to 0 (the Hugging Face default), logged per step
    R("converged", mc.REG_NOISY, [32], "relu", "adam", 1e-2, 16, 12, 1105, LIN(1), log_every_steps=10),
    # a short schedule that reaches 0 while the loss still falls: learning (undertrained at the end)
    R("learning", mc.CLS_BIG, [64], "relu", "sgd", 0.01, 64, 15, 1106, LIN(1, end=0.3), accept=["undertrained"]),
    R("learning", mc.WINE, [32], "relu", "sgd", 0.002, 16, 30, 1107, LIN(2, end=0.1), accept=["undertrained"]),
    # warm-up from 0 to a high peak: the loss may jump early, then learns (not diverging)
    R("converged", mc.CIRCLES, [64, 64], "relu", "sgd_momentum", 0.2, 32, 40, 1108, WC(8, start=0.0), wd=1e-3),
    # overfitting under a schedule
    R("overfitting", mc.WINE, [256, 256], "relu", "adam", 2e-3, 8, 150, 1109, WC(5), train_size=40),
    R("overfitting", mc.CIRCLES_NOISY, [512, 512], "relu", "adam", 2e-3, 16, 150, 1110, LIN(5), train_size=60),
    # a spike that recovers (the weights knocked off once by noise), per epoch and per step
    R("converged", mc.CLS4, [64], "relu", "sgd_momentum", 0.02, 32, 60, 1111, WC(2), wd=5e-3, dropout=0.3,
      spike={"at_step": 30 * 50 + 7, "noise": 0.7}),
    R("learning", mc.MOONS_BIG, [32, 32], "relu", "sgd_momentum", 0.02, 64, 12, 1112, {"type": "constant"},
      log_every_steps=10, spike={"at_step": 303, "noise": 1.5}, accept=["undertrained", "converged"]),
    # a spike that does not recover: the rate jumps x75 and stays (0.02 -> 1.5)
    R("diverging", mc.CLS4, [64, 64], "relu", "sgd_momentum", 0.02, 32, 40, 1113, {"type": "constant"},
      spike={"at_step": 22 * 50 + 1, "factor": 75, "hold": True}),
    R("diverging", mc.MOONS_BIG, [32, 32], "tanh", "sgd_momentum", 0.02, 64, 10, 1114, {"type": "constant"},
      log_every_steps=10, spike={"at_step": 401, "factor": 200, "hold": True}),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args()
    started = time.time()
    made, skipped = [], []
    for r in RECIPES:
        for attempt in range(mc.MAX_ATTEMPTS):
            seed = r["seed"] + 7919 * attempt
            t = time.time()
            config, points, status = train(r, seed)
            ok, why, onset, accept, ev = judge(r, points)
            print("%-12s %-14s %-10s seed %-6d %-4s %5.1fs %4d pts  %s" % (
                r["label"], r["data"]["name"], r["sched"]["type"], seed, "ok" if ok else "NO", time.time() - t,
                len(points), why), flush=True)
            if ok:
                made.append((r, seed, attempt, config, points, status, onset, accept, ev))
                break
        else:
            skipped.append((r["label"], r["data"]["name"], r["seed"]))
    if not a.dry_run:
        labels_path = os.path.join(a.out, "labels.jsonl")
        kept = [l for l in open(labels_path, encoding="utf-8") if l.strip() and not json.loads(l)["run_id"].startswith("sc-")]
        for f in os.listdir(a.out):
            if f.startswith("sc-") and f.endswith(".jsonl"):
                os.remove(os.path.join(a.out, f))
        with open(labels_path, "w", encoding="utf-8") as lf:
            lf.writelines(kept)
            for i, (r, seed, attempt, config, points, status, onset, accept, ev) in enumerate(made, 1):
                run_id = "sc-%03d" % i
                with open(os.path.join(a.out, run_id + ".jsonl"), "w", encoding="utf-8") as f:
                    for e in mc.events(run_id, 100 + i, config, points, status):
                        f.write(json.dumps(e) + "\n")
                g = mc.generator_record(r, seed, attempt)
                g["spike"] = r.get("spike")
                lf.write(json.dumps({"run_id": run_id, "file": run_id + ".jsonl", "label": r["label"],
                                     "onset_epoch": onset, "granularity": "step" if r.get("log_every_steps") else "epoch",
                                     "evidence": ev, "generator": g, "accept": accept}) + "\n")
    print("made %d runs in %.0fs" % (len(made), time.time() - started))
    for s in skipped:
        print("skipped (curve never showed its label): %s %s recipe %d" % s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
