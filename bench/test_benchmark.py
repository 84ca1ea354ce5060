#!/usr/bin/env python3
"""Checks that the benchmark corpus stays valid and that the benchmark scores what it says.

    python3 -m unittest discover -s bench -p 'test_*.py'      (or: python3 bench/test_benchmark.py)

Standard library only (the corpus is read as data; torch is not needed).
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchmark as B  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")
CODES = ["learning", "converged"] + B.PROBLEMS
CONFIG_FIELDS = {"optimizer", "lr", "batch_size", "task", "loss", "output_activation", "model", "dataset",
                 "train_size", "max_epochs", "weight_decay", "dropout"}


def all_labels():
    with open(os.path.join(CORPUS, "labels.jsonl"), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def load_labels():
    """The runs make_corpus.py made (pc-): its invariants are what the checks below hold it to."""
    return [r for r in all_labels() if r["run_id"].startswith("pc-")]


def schedule_labels():
    """The schedule runs make_schedule_corpus.py made (sc-): per-step schedules, spikes, warm-ups."""
    return [r for r in all_labels() if r["run_id"].startswith("sc-")]


def load_events(name):
    with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def curves(events):
    pts = [e for e in events if e["type"] == "metrics"]
    num = lambda v: math.nan if v is None else float(v)
    return ([p["epoch"] for p in pts], [num(p["metrics"]["train_loss"]) for p in pts],
            [num(p["metrics"]["val_loss"]) for p in pts])


def fin(x):
    return math.isfinite(x)


class CorpusFiles(unittest.TestCase):
    def setUp(self):
        self.labels = load_labels()

    def test_labels_match_the_files(self):
        everything = all_labels()
        files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".jsonl") and f != "labels.jsonl")
        self.assertEqual(sorted(r["file"] for r in everything), files)
        self.assertEqual(len({r["run_id"] for r in everything}), len(everything))
        self.assertEqual(len(everything), len(self.labels) + len(schedule_labels()), "every run is pc- or sc-")
        for r in everything:
            self.assertEqual(r["file"], r["run_id"] + ".jsonl")
            self.assertEqual({e["run_id"] for e in load_events(r["file"])}, {r["run_id"]})

    def test_label_schema_and_composition(self):
        counts = {}
        for r in self.labels:
            self.assertIn(r["label"], CODES)
            counts[r["label"]] = counts.get(r["label"], 0) + 1
            self.assertIn(r["granularity"], ("epoch", "step"))
            self.assertTrue(set(r["accept"]) <= set(CODES) and r["label"] not in r["accept"])
            self.assertIsInstance(r["evidence"], dict)
            self.assertIn("seed", r["generator"])
            if r["label"] in ("overfitting", "plateau", "diverging"):
                self.assertIsInstance(r["onset_epoch"], int, r["run_id"])
            elif r["label"] == "data_issue":
                self.assertEqual(r["onset_epoch"], 1)
            else:
                self.assertIsNone(r["onset_epoch"], r["run_id"])
        self.assertEqual(set(counts), set(CODES))
        for label, n in counts.items():
            self.assertGreaterEqual(n, 6, label)
        self.assertGreaterEqual(sum(r["granularity"] == "step" for r in self.labels), 1)
        # opaque ids: the labels are not in file order
        self.assertNotEqual([r["label"] for r in self.labels], sorted(r["label"] for r in self.labels))

    def test_every_file_is_a_well_formed_run(self):
        nonfinite_runs = 0
        for r in self.labels:
            ev = load_events(r["file"])
            self.assertEqual(ev[0]["type"], "run_started")
            self.assertEqual(set(ev[0]["config"]), CONFIG_FIELDS, r["run_id"])
            self.assertEqual(ev[-1]["type"], "run_finished")
            pts = ev[1:-1]
            self.assertTrue(pts and all(e["type"] == "metrics" for e in pts))
            steps = [e["step"] for e in pts]
            epochs = [e["epoch"] for e in pts]
            self.assertEqual(steps, sorted(set(steps)), "steps strictly increase")
            self.assertEqual(epochs, sorted(epochs), "epochs never go back")
            if r["granularity"] == "epoch":
                self.assertEqual(epochs, list(range(1, len(epochs) + 1)))
            else:
                self.assertLess(len(set(epochs)), len(epochs), "per-step run repeats epochs")
            self.assertEqual(ev[-1]["epoch"], epochs[-1])
            for e in pts:
                self.assertTrue({"train_loss", "val_loss", "lr"} <= set(e["metrics"]))
                self.assertTrue(e["timestamp"].endswith("Z"))
            if any(not fin(x) for x in curves(ev)[1] + curves(ev)[2]):
                nonfinite_runs += 1
                with open(os.path.join(CORPUS, r["file"]), encoding="utf-8") as f:
                    self.assertIn("NaN", f.read(), "non-finite written as the bare JSON token")
        self.assertGreaterEqual(nonfinite_runs, 1, "some diverging runs reach NaN")


class ScheduleRuns(unittest.TestCase):
    """The sc- runs: well-formed runs that report their learning rate at every point, labelled with known codes."""

    def test_schedule_runs_are_well_formed_and_report_their_rate(self):
        labels = schedule_labels()
        self.assertGreaterEqual(len(labels), 10)
        for r in labels:
            with self.subTest(run=r["run_id"]):
                self.assertIn(r["label"], CODES)
                self.assertIn(r["granularity"], ("epoch", "step"))
                ev = load_events(r["file"])
                self.assertEqual(ev[0]["type"], "run_started")
                self.assertEqual(ev[-1]["type"], "run_finished")
                pts = [e for e in ev if e["type"] == "metrics"]
                steps = [e["step"] for e in pts]
                self.assertEqual(steps, sorted(set(steps)), "steps strictly increase")
                self.assertTrue(all("lr" in e["metrics"] and "train_loss" in e["metrics"] for e in pts))
                if r["label"] in ("overfitting", "diverging"):
                    self.assertIsInstance(r["onset_epoch"], int)


class CorpusEvidence(unittest.TestCase):
    """Each label's curve shows it: recomputed from the events, not read from the evidence."""

    def test_evidence_matches_curve(self):
        for r in load_labels():
            ep, tr, va = curves(load_events(r["file"]))
            e = r["evidence"]
            self.assertEqual(e["n_points"], len(ep))
            imin = min((i for i in range(len(va)) if fin(va[i])), key=lambda i: va[i])
            self.assertEqual(e["val_argmin_index"], imin, r["run_id"])

    def test_each_label_shows_on_its_curve(self):
        for r in load_labels():
            with self.subTest(run=r["run_id"], label=r["label"]):
                getattr(self, "check_" + r["label"])(r, *curves(load_events(r["file"])))

    def check_learning(self, r, ep, tr, va):
        n, s = len(tr), len(tr) - math.ceil(len(tr) / 3)
        self.assertLessEqual(tr[-1], 0.95 * tr[s])
        self.assertLessEqual(va[-1], 0.97 * va[s])
        self.assertGreaterEqual(va.index(min(va)), n - 3, "val still at its best near the end")

    def check_converged(self, r, ep, tr, va):
        s = len(tr) - math.ceil(len(tr) / 3)
        self.assertLessEqual(tr[-1], 0.6 * tr[0], "a real descent")
        self.assertLessEqual(abs(tr[-1] - tr[s]), 0.03 * (tr[0] - min(tr)), "train flat in the last third")
        self.assertLessEqual(abs(va[-1] - va[s]), 0.03 * (va[0] - min(va)), "val flat in the last third")
        self.assertLessEqual(va[-1], 1.05 * min(va), "val did not rise")

    def check_overfitting(self, r, ep, tr, va):
        i = va.index(min(va))
        self.assertEqual(r["onset_epoch"], ep[i], "onset is the val-loss minimum")
        self.assertGreaterEqual(va[-1], 1.10 * va[i], "val rises >= 10% after its minimum")
        self.assertLessEqual(tr[-1], 0.7 * tr[i], "while train keeps falling")
        self.assertLessEqual(i, 0.6 * len(va))

    def check_plateau(self, r, ep, tr, va):
        k = ep.index(r["onset_epoch"])
        self.assertGreaterEqual(len(ep) - k, len(ep) / 2, "flat for at least half the run")
        for xs in (tr, va):
            self.assertTrue(all(abs(x - xs[-1]) <= 0.02 * abs(xs[-1]) for x in xs[k:]), "flat from the onset")
        if k > 0:
            self.assertTrue(abs(tr[k - 1] - tr[-1]) > 0.02 * abs(tr[-1]) or abs(va[k - 1] - va[-1]) > 0.02 * abs(va[-1]),
                            "the flat stretch starts at the onset, not before")
        ref = r["evidence"]["reference_min_val_loss"]
        self.assertGreaterEqual(va[-1], 2 * ref, "stuck well above what the data allows")

    def check_data_issue(self, r, ep, tr, va):
        train_drop = (tr[0] - min(tr)) / tr[0]
        val_drop = (va[0] - min(va)) / va[0]
        self.assertLessEqual(train_drop, 0.08, "train (noisy labels) barely moves")
        self.assertGreaterEqual(val_drop, 0.10, "val (clean labels) falls")
        self.assertGreaterEqual(val_drop, 2.5 * train_drop)
        self.assertGreater(r["generator"]["label_noise"], 0.69)

    def check_diverging(self, r, ep, tr, va):
        finite = [(i, x) for i, x in enumerate(tr) if fin(x)]
        i0 = min(finite, key=lambda t: t[1])[0]
        self.assertEqual(r["onset_epoch"], ep[i0], "onset is where the training loss starts to rise")
        blew_up = any(not fin(x) for x in tr[i0:] + va[i0:])
        self.assertTrue(blew_up or max(x for _, x in finite[i0:]) >= 3 * tr[i0])

    def check_oscillating(self, r, ep, tr, va):
        half = va[len(va) // 2:]
        d = [b - a for a, b in zip(half, half[1:]) if b != a]
        reversals = sum(1 for a, b in zip(d, d[1:]) if a * b < 0) / max(1, len(d) - 1)
        self.assertGreaterEqual(reversals, 0.4, "the validation loss keeps reversing")
        self.assertTrue(all(fin(x) for x in tr + va))
        self.assertLessEqual(r["generator"]["bs"], 8)

    def check_underfitting(self, r, ep, tr, va):
        self.assertGreaterEqual(tr[-1], 0.5 * tr[0], "training loss barely moves")
        self.assertGreaterEqual(va[-1], 2 * r["evidence"]["reference_min_val_loss"], "and stays high")
        self.assertLessEqual(va[-1], 1.01 * min(va))


def pts(train=None, val=None):
    """Hand-made curve: points (epoch, metrics) from epoch 1."""
    n = len(train or val)
    out = []
    for i in range(n):
        m = {}
        if train is not None:
            m["train_loss"] = train[i]
        if val is not None:
            m["val_loss"] = val[i]
        out.append((i + 1, m))
    return out


NAN, INF = math.nan, math.inf


class Anchors(unittest.TestCase):
    def test_keras_early_stopping(self):
        self.assertEqual(B.keras_early_stopping(pts(val=[1.0, 0.9, 0.95, 0.96, 0.97]), 2), [(4, "stop")])
        self.assertEqual(B.keras_early_stopping(pts(val=[1.0, 0.9, 0.95, 0.89, 0.97]), 2), [])
        self.assertEqual(B.keras_early_stopping(pts(val=[1.0, NAN, NAN]), 2), [(3, "stop")], "NaN is no improvement")
        self.assertEqual(B.keras_early_stopping(pts(val=[1.0, 1.0]), 1), [(2, "stop")], "equal is no improvement")
        # min_delta: a decrease smaller than min_delta does not count
        self.assertEqual(B.keras_early_stopping(pts(val=[1.0, 0.99, 0.98]), 2, min_delta=0.05), [(3, "stop")])

    def test_keras_reduce_lr_on_plateau(self):
        creep = [1.0 - 1e-5 * i for i in range(15)]  # improvements below min_delta=1e-4
        self.assertEqual(B.keras_reduce_lr_on_plateau(pts(val=creep)), [(11, "plateau")])
        self.assertEqual(B.keras_reduce_lr_on_plateau(pts(val=[1.0 - 0.01 * i for i in range(30)])), [])

    def test_keras_terminate_on_nan(self):
        self.assertEqual(B.keras_terminate_on_nan(pts(train=[1.0, 0.5, INF, NAN])), [(3, "diverging")])
        self.assertEqual(B.keras_terminate_on_nan(pts(train=[1.0, 50.0, 1e30])), [])

    def test_lightning_early_stopping(self):
        self.assertEqual(B.lightning_early_stopping(pts(val=[1.0, 0.9, 0.9, 0.9, 0.9])), [(5, "stop")])
        self.assertEqual(B.lightning_early_stopping(pts(val=[1.0, 0.9, NAN])), [(3, "diverging")], "check_finite")
        self.assertEqual(B.lightning_early_stopping(pts(val=[1.0, 0.9, 0.8, 0.85, 0.7, 0.75, 0.6])), [])

    def test_sagemaker_loss_not_decreasing(self):
        falling = [1.0 - 0.01 * i for i in range(25)]
        self.assertEqual(B.sagemaker_loss_not_decreasing(pts(val=falling)), [])
        bump = falling[:]
        bump[5] = 5.0  # between evaluations: not seen
        self.assertEqual(B.sagemaker_loss_not_decreasing(pts(val=bump)), [])
        flat = falling[:11] + [falling[10]] * 14  # index 10 < index 0, but index 20 == index 10: not decreasing
        self.assertEqual(B.sagemaker_loss_not_decreasing(pts(val=flat)), [(21, "plateau")])

    def test_sagemaker_overfit(self):
        self.assertEqual(B.sagemaker_overfit(pts(train=[1.0, 1.0, 1.0], val=[1.05, 1.09, 1.2])), [(3, "overfitting")])
        self.assertEqual(B.sagemaker_overfit(pts(train=[1.0] * 4, val=[1.2, 1.0, 1.2, 1.0]), patience=2), [])
        self.assertEqual(B.sagemaker_overfit(pts(train=[1.0] * 4, val=[1.2, 1.2, 1.0, 1.0]), patience=2),
                         [(2, "overfitting")])

    def test_sagemaker_overtraining(self):
        # train stops improving by delta=0.1 after epoch 2: fires after patience_train=5 more points
        train = [2.0, 1.5, 1.45, 1.44, 1.43, 1.42, 1.41, 1.40]
        val = [2.0, 1.0, 0.5, 0.2, 0.1, 0.0, -0.2, -0.4]
        self.assertEqual(B.sagemaker_overtraining(pts(train=train, val=val)), [(7, "overfitting")])
        self.assertEqual(B.sagemaker_overtraining(pts(train=train, val=val), delta=0.001), [])


class Scoring(unittest.TestCase):
    RUNS = [
        {"run_id": "o", "label": "overfitting", "onset_epoch": 10, "accept": []},
        {"run_id": "p", "label": "plateau", "onset_epoch": 5, "accept": ["underfitting"]},
        {"run_id": "u", "label": "underfitting", "onset_epoch": None, "accept": []},
        {"run_id": "l", "label": "learning", "onset_epoch": None, "accept": []},
        {"run_id": "c", "label": "converged", "onset_epoch": None, "accept": []},
    ]

    def test_definitions(self):
        by_run = {"o": [(8, "overfitting")],                      # at onset - 2: counts, lag 0
                  "p": [(2, "plateau"), (9, "underfitting")],     # premature, then an accepted name, lag 4
                  "u": [(30, "plateau")],                         # a signal, wrongly typed
                  "l": [(20, "stop")],                            # stopped, but no false alarm
                  "c": [(50, "overfitting")]}                     # false alarm
        s = B.summarize("t", B.score(self.RUNS, by_run))
        self.assertEqual(s["recall_by_label"], {"overfitting": 1.0, "plateau": 1.0, "underfitting": 0.0})
        self.assertAlmostEqual(s["typed_recall"], round(2 / 3, 3))
        self.assertEqual(s["any_signal_recall"], 1.0)
        self.assertEqual(s["median_lag"], 2)
        self.assertAlmostEqual(s["premature_rate"], round(1 / 3, 3))
        self.assertEqual(s["false_alarm_rate"], 0.5)
        self.assertEqual(s["learning_stopped_rate"], 1.0)
        self.assertEqual(s["misses"], ["u"])
        self.assertEqual(s["false_alarms"], ["c"])

    def test_too_early_is_not_a_hit(self):
        s = B.summarize("t", B.score(self.RUNS[:1], {"o": [(7, "overfitting")]}))
        self.assertEqual(s["recall_by_label"]["overfitting"], 0.0)
        self.assertEqual(s["premature_rate"], 1.0)


ORACLE = textwrap.dedent("""\
    import json, os, sys
    folder = os.path.dirname(sys.argv[1])
    print("some log line that is not JSON")
    for line in open(os.path.join(folder, "labels.jsonl")):
        r = json.loads(line)
        code = {"learning": "undertrained"}.get(r["label"], r["label"])
        print(json.dumps({"run_id": r["run_id"], "epoch": r["onset_epoch"] or 1, "diagnosis": code}))
    """)
ALWAYS_LEARNING = textwrap.dedent("""\
    import json, sys
    for path in sys.argv[1:]:
        run = json.loads(open(path).readline())["run_id"]
        print(json.dumps({"run_id": run, "epoch": 3, "diagnosis": "learning"}))
    """)


class EndToEnd(unittest.TestCase):
    def bench(self, script, *extra):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(script)
        try:
            out = subprocess.run([sys.executable, os.path.join(HERE, "benchmark.py"), CORPUS, "--json",
                                  "--cmd", "%s %s" % (sys.executable, f.name), *extra],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
        finally:
            os.unlink(f.name)
        return json.loads(out)["systems"]

    def test_an_oracle_scores_perfectly(self):
        s = self.bench(ORACLE, "--no-baselines")[0]
        self.assertEqual((s["typed_recall"], s["false_alarm_rate"], s["premature_rate"], s["median_lag"]),
                         (1.0, 0.0, 0.0, 0))
        self.assertEqual(s["runs"], len(all_labels()))

    def test_a_silent_system_scores_zero_and_baselines_run(self):
        systems = self.bench(ALWAYS_LEARNING)
        self.assertEqual((systems[0]["typed_recall"], systems[0]["any_signal_recall"]), (0.0, 0.0))
        self.assertEqual(len(systems), 1 + len(B.BASELINES))
        overfit = next(s for s in systems if s["system"] == "sagemaker Overtraining()")
        self.assertEqual(overfit["recall_by_label"]["overfitting"], 1.0)

    def test_markdown_table(self):
        out = subprocess.run([sys.executable, os.path.join(HERE, "benchmark.py"), CORPUS], stdout=subprocess.PIPE,
                             text=True, check=True).stdout
        self.assertIn("| system | runs | typed recall |", out)
        self.assertIn("| keras TerminateOnNaN() |", out)


if __name__ == "__main__":
    unittest.main()
