"""Forecast prototype for issue 11 (research, not product code): fit the recent part of a validation
curve with power-law and exponential families (plain least squares per grid value of the exponent),
forecast the best validation loss by the run's last x, and compare with the best-so-far baseline.
Prints, per variant, median(forecast error) / median(best-so-far error) per set and cut."""
import math
import numpy as np
from load import load, sets

ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0]
BETAS = [0.1, 0.2, 0.5, 1, 2, 3, 5, 8]


def fit_line(u, y):
    """y = c + a*u by least squares from running sums: (c, a, sse), or None when u does not vary."""
    n = len(u); su = u.sum(); sy = y.sum(); suu = (u * u).sum(); suy = (u * y).sum(); syy = (y * y).sum()
    d = n * suu - su * su
    if d <= 1e-12 * max(1, n * suu):
        return None
    a = (n * suy - su * sy) / d; c = (sy - a * su) / n
    return c, a, max(0.0, syy - c * sy - a * suy)


def forecast(xs, ys, horizon, frac=0.5, families=('pow', 'exp'), agg='mean'):
    x = np.array(xs, float); y = np.array(ys, float); k = len(x)
    start = int(k * (1 - frac))
    if k - start < 4:
        start = max(0, k - 4)
    xr, yr = x[start:], y[start:]
    off = 1.0 - x[0] if x[0] < 1 else 0.0  # so that x + off >= 1 for the power law
    span = xr[-1] - xr[0] if xr[-1] > xr[0] else 1
    preds = []
    for fam in families:
        best = None
        for g in (ALPHAS if fam == 'pow' else BETAS):
            if fam == 'pow':
                u = (xr + off) ** (-g); u_h = (horizon + off) ** (-g)
            else:
                u = np.exp(-g * (xr - xr[0]) / span); u_h = math.exp(-g * (horizon - xr[0]) / span)
            r = fit_line(u, yr)
            if r is None or r[1] <= 0:  # a > 0: a falling curve
                continue
            if best is None or r[2] < best[1]:
                best = (r[0] + r[1] * u_h, r[2])
        if best:
            preds.append(best[0])
    if not preds:
        return None
    p = {'mean': np.mean, 'min': min}[agg](preds)
    return min(p, np.nanmin(y))


def t_of_slope(xs, ys):
    x = np.array(xs, float); y = np.array(ys, float); n = len(x)
    if n < 4:
        return 0
    xm = x - x.mean(); sxx = (xm * xm).sum(); b = (xm * (y - y.mean())).sum() / sxx
    r = y - y.mean() - b * xm; s2 = (r * r).sum() / (n - 2)
    return b / (math.sqrt(s2 / sxx) if s2 > 0 else 1e-12)


def evaluate(t_min=None, **kw):
    out = []
    for name, paths in sets().items():
        runs = load(paths)
        for cut in (0.2, 0.5):
            rows = []
            for xs, ys, _ in runs.values():
                pts = [(a, b) for a, b in zip(xs, ys) if math.isfinite(b)]
                if len(pts) < 10:
                    continue
                X = [a for a, _ in pts]; Y = [b for _, b in pts]
                k = max(int(round(len(X) * cut)), 5)
                if int(np.argmin(Y[:k])) < k - max(2, k // 4):
                    continue  # not still improving at the cut
                if t_min is not None and t_of_slope(X[k // 2:k], Y[k // 2:k]) > -t_min:
                    continue
                f = forecast(X[:k], Y[:k], X[-1], **kw)
                if f is None:
                    continue
                truth = min(Y); scale = abs(truth) or 1
                rows.append((abs(f - truth) / scale, abs(min(Y[:k]) - truth) / scale))
            a = np.array(rows)
            out.append(f"{name[:3]}{cut}:{np.median(a[:, 0]) / np.median(a[:, 1]):.2f}(n{len(a)})")
    print(t_min, kw, ' '.join(out))


if __name__ == '__main__':
    for frac in (0.5, 0.67, 1.0):
        for families in (('pow',), ('exp',), ('pow', 'exp')):
            evaluate(frac=frac, families=families)
    evaluate(t_min=2.0)
    evaluate(t_min=3.0)
