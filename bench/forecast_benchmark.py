#!/usr/bin/env python3
"""How well Loss Doctor forecasts a run's final best validation loss (issue 11, part 1).

For every run of the given sets whose validation loss is still improving at the cut (its best so
far is among the last quarter of the points seen, at least the last 2), the run is cut at 20% and
at 50% of its finite validation points, written to a temp dir (its run_started config's
max_epochs set to the run's real last epoch, so the horizon is where the truth is; no
run_finished), and read by `analyze --format status`. The status's forecast.best_val_loss is
compared with the run's true final best: median and p90 relative error, next to the two naive
baselines (the best so far, the last value), and the coverage of the 80% band [low, high].
Runs the analysis gives no forecast count as "no forecast"; the "with fallback" ratio scores
them with the best so far (what a reader would use without a forecast).

Usage: python3 bench/forecast_benchmark.py [--cmd 'java -jar target/loss-doctor.jar analyze --format status']
       [--set NAME=DIR_OR_FILE ...]
"""
import argparse
import glob
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile

DEFAULT_SETS = [('dev', '/work/shared/curves/dev'), ('corpus', 'bench/corpus'),
                ('external', '/work/shared/curves/external')]
CUTS = (0.2, 0.5)


def files_of(path):
    if os.path.isfile(path):
        return [path]
    return sorted(p for p in glob.glob(os.path.join(path, '**', '*.jsonl'), recursive=True)
                  if not p.endswith('labels.jsonl'))


def val_of(e):
    m = e.get('metrics') or {}
    v = m.get('val_loss', e.get('val_loss'))
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def load(path):
    """run_id -> {'started': event or None, 'points': [(x, val or None, event)] sorted by x}."""
    runs = {}
    for f in files_of(path):
        with open(f) as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                rid = e.get('run_id')
                if rid is None:
                    continue
                r = runs.setdefault(rid, {'started': None, 'points': []})
                t = e.get('type', 'metrics')
                if t == 'run_started':
                    r['started'] = r['started'] or e
                elif t == 'metrics':
                    x = e.get('epoch', e.get('step'))
                    if x is not None:
                        r['points'].append((float(x), val_of(e), e))
    for r in runs.values():
        r['points'].sort(key=lambda p: p[0])
        r['epochs'] = all(p[2].get('epoch') is not None for p in r['points'])
    return runs


def cut_run(rid, r, cut):
    """(lines of the cut run, best so far, last value, true final best) or None when not eligible."""
    fin = [(x, v) for x, v, _ in r['points'] if v is not None and math.isfinite(v)]
    if len(fin) < 10:
        return None
    ys = [v for _, v in fin]
    k = max(int(round(len(fin) * cut)), 5)
    best_at = min(range(k), key=lambda i: (ys[i], -i))
    if best_at < k - max(2, k // 4):
        return None  # not still improving at the cut
    x_cut = fin[k - 1][0]
    started = dict(r['started'] or {'type': 'run_started', 'run_id': rid})
    config = dict(started.get('config') or {})
    if r['epochs']:
        config['max_epochs'] = int(r['points'][-1][0])  # the horizon is where the truth is
    started['config'] = config
    lines = [json.dumps(started)] + [json.dumps(e) for x, _, e in r['points'] if x <= x_cut]
    return lines, min(ys[:k]), ys[k - 1], min(ys)


def analyze(cmd, path):
    out = subprocess.run(shlex.split(cmd) + [path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f'analyze failed: {out.stderr.strip()[:300]}')
    statuses = {}
    for line in out.stdout.splitlines():
        if line.startswith('{'):
            s = json.loads(line)
            statuses[s['run_id']] = s
    return statuses


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(math.ceil(q * len(xs))) - 1)] if xs else float('nan')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cmd', default='java -jar target/loss-doctor.jar analyze --format status')
    ap.add_argument('--set', action='append', help='NAME=PATH (default: dev, corpus, external)')
    args = ap.parse_args()
    sets = [tuple(s.split('=', 1)) for s in args.set] if args.set else DEFAULT_SETS
    header = (f"{'set':9} {'cut':>4} {'runs':>5} {'fcst':>5} | {'forecast':>15} {'best-so-far':>15} {'last':>15} | "
              f"{'ratio':>5} {'w/fallbk':>8} | {'band':>5}")
    print(header)
    print(f"{'':9} {'':>4} {'':>5} {'':>5} | {'median   p90':>15} {'median   p90':>15} {'median   p90':>15} | "
          f"{'':>5} {'ratio':>8} | {'cover':>5}")
    print('-' * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in sets:
            runs = load(path)
            for cut in CUTS:
                truth = {}
                cut_path = os.path.join(tmp, f'{name}-{cut}.jsonl')
                with open(cut_path, 'w') as fh:
                    for rid, r in runs.items():
                        c = cut_run(rid, r, cut)
                        if c is not None:
                            fh.write('\n'.join(c[0]) + '\n')
                            truth[rid] = c[1:]
                statuses = analyze(args.cmd, cut_path)
                fe, be, le, fallback, covered = [], [], [], [], 0
                for rid, (bsf, last, true) in truth.items():
                    scale = abs(true) or 1.0
                    b_err = abs(bsf - true) / scale
                    f = (statuses.get(rid) or {}).get('forecast')
                    if f is None:
                        fallback.append(b_err)
                        continue
                    f_err = abs(f['best_val_loss'] - true) / scale
                    fe.append(f_err)
                    be.append(b_err)
                    le.append(abs(last - true) / scale)
                    fallback.append(f_err)
                    covered += f['low'] <= true <= f['high']
                all_b = [abs(b - t) / (abs(t) or 1.0) for b, _, t in truth.values()]
                ratio = statistics.median(fe) / statistics.median(be) if fe and statistics.median(be) > 0 else float('nan')
                ratio_all = (statistics.median(fallback) / statistics.median(all_b)
                             if fallback and statistics.median(all_b) > 0 else float('nan'))
                def mp(xs):
                    return f"{statistics.median(xs):.4f} {pct(xs, 0.9):.4f}" if xs else f"{'-':>15}"
                print(f"{name:9} {cut:>4} {len(truth):>5} {len(fe):>5} | {mp(fe):>15} {mp(be):>15} {mp(le):>15} | "
                      f"{ratio:>5.2f} {ratio_all:>8.2f} | {covered / len(fe) if fe else float('nan'):>5.0%}")


if __name__ == '__main__':
    main()
