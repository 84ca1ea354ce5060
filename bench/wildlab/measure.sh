#!/bin/bash
# usage: measure.sh TAG   -> writes /tmp/wl/TAG/* (diagnosis streams, scores) and prints the figures
# Needs /tmp/wl/corpus64 (the pc- runs of bench/corpus and their labels) and /tmp/wl/sched (the sc-
# runs), made with:
#   mkdir -p /tmp/wl/corpus64 /tmp/wl/sched; C=$PWD/bench/corpus
#   ln -s $C/pc-*.jsonl /tmp/wl/corpus64/; grep '"pc-' $C/labels.jsonl > /tmp/wl/corpus64/labels.jsonl
#   ln -s $C/sc-*.jsonl /tmp/wl/sched/;    grep '"sc-' $C/labels.jsonl > /tmp/wl/sched/labels.jsonl
cd /work/wt/wildlab
T=/tmp/wl/$1; mkdir -p $T
CMD='java -jar target/loss-doctor.jar analyze --format jsonl'
java -jar target/loss-doctor.jar analyze --format jsonl /work/shared/curves/wild/events/*.jsonl > $T/wild.out 2>$T/wild.err
java -jar target/loss-doctor.jar analyze --format jsonl /work/shared/curves/external/*.jsonl > $T/ext.out 2>$T/ext.err
python3 /work/shared/bench/score.py /work/shared/curves/wild --diagnoses $T/wild.out --json > $T/wild.score
python3 /work/shared/bench/steadiness.py --cmd "cat $T/wild.out #" /work/shared/curves/wild/events/*.jsonl > $T/wild.steady
python3 /work/shared/bench/steadiness.py --cmd "cat $T/ext.out #" /work/shared/curves/external/*.jsonl > $T/ext.steady
python3 /work/shared/bench/score.py /work/shared/curves/dev --cmd "$CMD" --json > $T/dev.score
python3 bench/benchmark.py /tmp/wl/corpus64 --cmd "$CMD" --no-baselines > $T/corpus.score 2>&1
python3 bench/benchmark.py /tmp/wl/sched --cmd "$CMD" --no-baselines > $T/sched.score 2>&1
java -jar target/loss-doctor.jar analyze --format jsonl /tmp/wl/sched/*.jsonl > $T/sched.out 2>/dev/null
python3 - $T <<'PY'
import json,sys
T=sys.argv[1]
def sc(f):
    s=json.loads(open(f).readline()); return "typedR %.3f FAR %.3f stopL %.3f lag %s prem %.3f | %s"%(s["typed_recall"],s["false_alarm_rate"],s["learning_stopped_rate"],s["median_lag"],s["premature_rate"],s["recall_by_label"])
def st(f):
    s=json.loads(open(f).read().splitlines()[-1]); return "median %s p90 %s max %s"%(s["median_changes"],s["p90_changes"],s["max_changes"])
print("wild   ", sc(T+"/wild.score"))
print("wildst ", st(T+"/wild.steady"))
print("extst  ", st(T+"/ext.steady"))
print("dev    ", sc(T+"/dev.score"))
PY
echo corpus64; grep -E '^\| loss-doctor' $T/corpus.score | head -3; echo sched; grep -E '^\| loss-doctor' $T/sched.score | head -3
