#!/usr/bin/env python3
"""Draw every run of a corpus on one sheet (train solid, val dashed, labelled onset dotted).

    /usr/bin/python3 bench/sheet.py bench/corpus          # writes bench/corpus/sheet.png

Needs matplotlib (Debian: python3-matplotlib). Log scale where a run spans > 2 decades.
"""
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(folder):
    labels = [json.loads(l) for l in open(os.path.join(folder, "labels.jsonl"), encoding="utf-8") if l.strip()]
    labels.sort(key=lambda r: (r["label"], r["run_id"]))
    cols = 8
    rows = math.ceil(len(labels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 2.6, rows * 2.1))
    for ax, r in zip(axes.flat, labels):
        pts = [json.loads(l) for l in open(os.path.join(folder, r["file"]), encoding="utf-8")]
        pts = [p for p in pts if p.get("type", "metrics") == "metrics"]
        x = list(range(len(pts))) if r.get("granularity") == "step" else [p["epoch"] for p in pts]
        tr = [p["metrics"].get("train_loss") for p in pts]
        va = [p["metrics"].get("val_loss") for p in pts]
        ax.plot(x, tr, "-", lw=1)
        ax.plot(x, va, "--", lw=1)
        finite = [v for v in tr + va if v is not None and math.isfinite(v) and v > 0]
        if finite and max(finite) / min(finite) > 100:
            ax.set_yscale("log")
        if r.get("onset_epoch") is not None:
            ax.axvline(r["onset_epoch"], ls=":", color="k", lw=1)
        g = r["generator"]
        ax.set_title("%s %s\n%s %s %s" % (r["run_id"], r["label"], g["data"]["name"], g["opt"], g["lr"]), fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(labels):]:
        ax.axis("off")
    fig.tight_layout()
    out = os.path.join(folder, "sheet.png")
    fig.savefig(out, dpi=70)
    print(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus"))
