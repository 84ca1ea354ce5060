#!/usr/bin/env python3
"""Checks that the pruner replays of sweep_benchmark.py decide as Optuna's pruners do, on sweeps small enough to
work out by hand (optuna/pruners/_percentile.py, _successive_halving.py; see the replays' docstrings).

    python3 bench/test_sweep_benchmark.py      (needs numpy, as the benchmark does)
"""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sweep_benchmark as S  # noqa: E402

NAN = float("nan")


def sweep(*curves, first=0):
    """Runs r0, r1, ... reporting the given values at steps first, first+1, ... (no times: replayed by step)."""
    runs = []
    for i, values in enumerate(curves):
        r = S.Run("r%d" % i, {})
        for j, v in enumerate(values):
            r.points.append((first + j, v))
            r.keys[first + j] = (None, 1000 * j + i)  # the file lists every run's step j before step j + 1
        r.timed = False
        runs.append(r)
    return runs


FIVE = [[1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4], [5, 5, 5]]


class PercentilePrunerReplay(unittest.TestCase):

    def test_prunes_a_trial_worse_than_the_median_of_the_complete_ones_at_the_step(self):
        runs = sweep(*FIVE, [3.5, 3.5, 3.5], [2.9, 2.9, 2.9])
        self.assertEqual(S.percentile_pruner(runs, -1), {"r5": 0})

    def test_no_pruning_before_n_startup_trials_are_complete(self):
        runs = sweep(*FIVE, [3.5, 3.5, 3.5])
        self.assertEqual(S.percentile_pruner(runs, -1, n_startup_trials=6), {})

    def test_warm_up_steps_are_never_pruned(self):
        runs = sweep(*FIVE, [3.5, 3.5, 3.5])
        self.assertEqual(S.percentile_pruner(runs, -1, n_warmup_steps=2), {"r5": 2})

    def test_a_trial_ending_in_nan_fails_and_does_not_count_as_complete(self):
        runs = sweep([1, 1, 1], [2, 2, 2], [3, 3, NAN], [4, 4, 4], [5, 5, 5], [3.5, 3.5, 3.5])
        self.assertEqual(S.percentile_pruner(runs, -1), {})

    def test_compares_the_trials_best_with_the_others_values_at_the_step_not_their_best(self):
        # the complete trials were good at step 0 and bad at step 1; 2.5 at step 1 beats their values there
        runs = sweep([1, 9], [1, 9], [1, 9], [1, 9], [1, 9], [2.5, 2.5], [9, 2.5])
        self.assertEqual(S.percentile_pruner(runs, -1), {"r5": 0, "r6": 0})
        self.assertEqual(S.percentile_pruner(runs, -1, n_warmup_steps=1), {})

    def test_higher_percentiles_keep_more(self):
        runs = sweep(*FIVE, [4.5, 4.5, 4.5])
        self.assertEqual(S.percentile_pruner(runs, -1, percentile=75), {"r5": 0})
        self.assertEqual(S.percentile_pruner(runs, -1, percentile=90), {})

    def test_accuracies_are_maximised(self):
        accuracies = sweep(*[[1 / v for v in c] for c in FIVE], [1 / 3.5] * 3, [1 / 2.9] * 3)
        self.assertEqual(S.percentile_pruner(accuracies, +1), {"r5": 0})  # the lower accuracy

    def test_all_nan_so_far_is_pruned(self):
        runs = sweep(*FIVE, [NAN, 1, 1])
        self.assertEqual(S.percentile_pruner(runs, -1), {"r5": 0})

    def test_trials_that_all_run_at_once_have_no_complete_trial_to_compare_with(self):
        runs = sweep(*FIVE, [3.5, 3.5, 3.5])
        # only at the last step, once the five before it in the file have just completed: nothing saved
        self.assertEqual(S.percentile_pruner(runs, -1, concurrent=True), {"r5": 2})
        three = sweep([1, 1, 1], [2, 2, 2], [3, 3, 3])
        self.assertEqual(S.percentile_pruner(three, -1, n_startup_trials=2), {"r2": 0})
        self.assertEqual(S.percentile_pruner(three, -1, n_startup_trials=2, concurrent=True), {"r2": 2})
        # ... unless some finished earlier: five one-step trials complete at step 0
        short = sweep([1], [2], [3], [4], [5], [3.5, 3.5, 3.5])
        self.assertEqual(S.percentile_pruner(short, -1, concurrent=True), {"r5": 0})


class AshaReplay(unittest.TestCase):

    def test_a_trial_goes_on_only_within_the_best_share_of_its_rung(self):
        runs = sweep([1, 1], [2, 2], [0.5, 0.5], [3, 3], first=1)
        # rung 0 ends at step 1: r0 alone (the best of 1), r1 not the best of [1, 2], r2 the best, r3 not the
        # best of four (4 // 4 = 1 promoted)
        self.assertEqual(S.asha(runs, -1, reduction_factor=4, min_resource=1), {"r1": 1, "r3": 1})

    def test_min_resource_auto_waits_for_a_complete_trial(self):
        runs = sweep([1, 1], [2, 2], [0.5, 0.5], [3, 3], first=1)
        # r0 runs while min_resource is unknown, so it records no rung value; once it has completed,
        # min_resource = max(2 // 100, 1) = 1 and r1 is the best of [2], r2 of [2, 0.5], r3 not of [2, 0.5, 3]
        self.assertEqual(S.asha(runs, -1), {"r3": 1})
        # all at once: r0 completes at step 2, so only the others' step 2 reaches rung 0, the last step
        self.assertEqual(S.asha(runs, -1, concurrent=True), {"r3": 2})

    def test_nan_at_a_rung_is_pruned(self):
        runs = sweep([1, 1], [NAN, 1], first=1)
        self.assertEqual(S.asha(runs, -1, reduction_factor=4, min_resource=1), {"r1": 1})


class Scoring(unittest.TestCase):

    def test_compute_saved_and_whether_the_best_run_was_kept(self):
        runs = sweep([3, 2, 1], [3, 3, 3], [3, 2, 0.5])
        trained = S.trained_from_x(runs, {"r1": 0, "r0": 1})
        saved, kept, total, n = S.score(runs, -1, trained)
        self.assertEqual((total, n, kept), (9, 3, True))
        self.assertAlmostEqual(saved, 3 / 9)
        self.assertFalse(S.score(runs, -1, S.trained_from_x(runs, {"r2": 1}))[1])


if __name__ == "__main__":
    unittest.main()
