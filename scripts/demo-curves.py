#!/usr/bin/env python3
"""Copies labelled training curves into the jar's demo set: src/main/resources/demo/curves.

    scripts/demo-curves.py CORPUS_DIR [--runs ID,ID,...] [--per-label N] [--max-points M]

CORPUS_DIR holds one JSON Lines file per run and a labels.jsonl (label, file, generator), as
bench/corpus does. The runs named by --runs, else for each diagnosis label the first N runs (in
file order, at most M points long), are copied with a readable run id made of the label and the
data set, e.g. demo-overfit-digits-1; the values are kept as they are. A corpus-side `nonfinite` annotation ({"train_loss": "nan"}) is put
back into the metrics as the string the event format accepts ("NaN", "Infinity"). The file
`index` lists the files, because a jar's resources can't be listed reliably.
"""
import argparse
import json
import pathlib
import shutil

SHORT = {"learning": "learning", "converged": "converged", "overfitting": "overfit", "plateau": "plateau",
         "data_issue": "dataissue", "diverging": "diverge", "oscillating": "oscillate", "underfitting": "underfit"}
DATASET = {"breast_cancer": "cancer", "classification": "classif", "regression": "regress"}
ORDER = ["diverging", "overfitting", "plateau", "oscillating", "data_issue", "underfitting", "learning", "converged"]
NONFINITE = {"nan": "NaN", "inf": "Infinity", "+inf": "Infinity", "-inf": "-Infinity"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=pathlib.Path)
    ap.add_argument("--runs", help="comma-separated run ids of the corpus to copy")
    ap.add_argument("--per-label", type=int, default=2)
    ap.add_argument("--max-points", type=int, default=160)
    ap.add_argument("--out", type=pathlib.Path,
                    default=pathlib.Path(__file__).resolve().parent.parent / "src/main/resources/demo/curves")
    args = ap.parse_args()

    labels = [json.loads(l) for l in (args.corpus / "labels.jsonl").read_text().splitlines() if l.strip()]
    if args.runs:
        wanted = args.runs.split(",")
        by_id = {lab["run_id"]: lab for lab in labels}
        labels = [by_id[r] for r in wanted]
        args.per_label = args.max_points = 10**9
    chosen, counts, names = [], {}, {}
    for lab in labels:
        short = SHORT.get(lab["label"])
        points = (lab.get("evidence") or {}).get("n_points", 0)
        if short is None or counts.get(short, 0) >= args.per_label or points > args.max_points:
            continue
        counts[short] = counts.get(short, 0) + 1
        data = ((lab.get("generator") or {}).get("data") or {}).get("name", "data")
        data = DATASET.get(data, data).replace("_", "")
        base = f"demo-{short}-{data}"
        names[base] = names.get(base, 0) + 1
        chosen.append((lab, f"{base}-{names[base]}"))

    # the trainers start the runs in index order, a second apart: take the labels in turn, the
    # quick problems first, so every kind shows up within the first minute
    turn, ranked = {}, []
    for lab, run_id in chosen:
        turn[lab["label"]] = turn.get(lab["label"], 0) + 1
        ranked.append(((turn[lab["label"]], ORDER.index(lab["label"])), lab, run_id))
    chosen = [(lab, run_id) for _, lab, run_id in sorted(ranked, key=lambda r: r[0])]

    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    index = []
    for lab, run_id in chosen:
        lines = []
        for line in (args.corpus / lab["file"]).read_text().splitlines():
            if not line.strip():
                continue
            event = json.loads(line)
            event["run_id"] = run_id
            for name, kind in (event.pop("nonfinite", None) or {}).items():
                event.setdefault("metrics", {})[name] = NONFINITE.get(str(kind).lower(), "NaN")
            lines.append(json.dumps(event))
        (args.out / f"{run_id}.jsonl").write_text("\n".join(lines) + "\n")
        index.append(f"{run_id}.jsonl")
    (args.out / "index").write_text(
        "".join(f"{name}\t{lab['label']}\n" for name, (lab, _) in zip(index, chosen)))
    print(f"{len(index)} runs into {args.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
