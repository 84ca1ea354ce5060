"""HuggingFaceCallback fed the real logs of other people's Trainer runs.

The wild corpus (``../shared/curves/wild`` beside the project) holds 82 published
``trainer_state.json`` files (``raw/hf/``) and each converted to events (``events/``) by the rule
``loss-doctor analyze`` reads a trainer state with: one point per evaluation, carrying the latest
training loss, learning rate and gradient norm logged at or before its step. Replaying a file's
``log_history`` through the callback, as the Trainer called ``on_log`` with each entry, must send
those very points, with their real, fractional epochs.
"""

import glob
import json
import math
import os
import types
import unittest

from loss_doctor_client import HuggingFaceCallback

from .fakes import RecordingBackend, events

SHARED = os.environ.get("LOSSDOCTOR_SHARED") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared")
WILD = os.path.join(SHARED, "curves", "wild")


def number(v):
    if isinstance(v, str):
        return float(v)  # "NaN", "Infinity" as the events write them
    return float(v)


def same(a, b):
    a, b = number(a), number(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


@unittest.skipUnless(os.path.isdir(os.path.join(WILD, "raw", "hf")), "the wild curves are not beside the project")
class WildTrainerStatesTest(unittest.TestCase):

    def replay(self, path):
        factory, records = RecordingBackend.factory()
        cb = HuggingFaceCallback(bootstrap_servers="kafka:9092", run_id="replay", backend=factory, exit_timeout=0)
        with open(path, encoding="utf-8") as f:
            trainer_state = json.load(f)
        args = types.SimpleNamespace(eval_strategy="steps", learning_rate=5e-5, num_train_epochs=1, max_steps=-1)
        state = types.SimpleNamespace(epoch=0.0, global_step=0, max_steps=trainer_state.get("max_steps", 0),
                                      is_world_process_zero=True)
        control = types.SimpleNamespace(should_training_stop=False)
        cb.on_train_begin(args, state, control)
        for entry in trainer_state["log_history"]:
            state.global_step = entry.get("step", state.global_step)
            state.epoch = entry.get("epoch", state.epoch)
            cb.on_log(args, state, control, logs=dict(entry))
        cb.on_train_end(args, state, control)
        cb.reporter.close(1)
        return [e for e in events(records) if e["type"] == "metrics"]

    def test_every_published_trainer_state_gives_the_points_analyze_reads(self):
        files = sorted(glob.glob(os.path.join(WILD, "raw", "hf", "hf-*.json")))
        self.assertEqual(len(files), 82)
        fractional = 0
        for path in files:
            run = os.path.basename(path)[:-len(".json")]
            with open(os.path.join(WILD, "events", run + ".jsonl"), encoding="utf-8") as f:
                expected = [e for e in map(json.loads, f) if e.get("type", "metrics") == "metrics"]
            sent = self.replay(path)
            with self.subTest(run=run):
                self.assertEqual([p["step"] for p in sent], [e["step"] for e in expected])
                for p, e in zip(sent, expected):
                    # the conversion rounded epochs to 3 decimals
                    self.assertAlmostEqual(p["epoch"], e["epoch"], delta=5e-4, msg="step %s" % p["step"])
                    fractional += p["epoch"] != int(p["epoch"])
                    want = dict(e["metrics"])
                    if "learning_rate" in want:
                        want["lr"] = want.pop("learning_rate")
                    for name, value in want.items():
                        self.assertIn(name, p["metrics"], "step %s" % p["step"])
                        self.assertTrue(same(p["metrics"][name], value),
                                        "%s at step %s: %r, not %r" % (name, p["step"], p["metrics"][name], value))
        self.assertGreater(fractional, 2000, "points sent with a fractional epoch")


if __name__ == "__main__":
    unittest.main()
