#!/bin/bash
# usage: bench/wildlab/measure.sh TAG   -> writes /tmp/wl/TAG/* (diagnosis streams, scores) and prints the figures
# Scores the jar target/loss-doctor.jar (copied first, so a build may run meanwhile) on: wild (accuracy and
# steadiness), external (steadiness), dev, the 64 original pc- runs of bench/corpus and the sc- schedule
# runs of bench/corpus, apart (so "not worse" compares like with like). SHARED defaults to /work/shared.
set -e
cd "$(dirname "$0")/../.."
SHARED=${SHARED:-/work/shared}
T=/tmp/wl/$1; mkdir -p $T/pc $T/sc
C=$PWD/bench/corpus
ln -sf $C/pc-*.jsonl $T/pc/; grep '"pc-' $C/labels.jsonl > $T/pc/labels.jsonl
SC=$C
ln -sf $SC/sc-*.jsonl $T/sc/; grep '"sc-' $SC/labels.jsonl > $T/sc/labels.jsonl
cp target/loss-doctor.jar $T/ld.jar
CMD="java -jar $T/ld.jar analyze --format jsonl"
$CMD $SHARED/curves/wild/events/*.jsonl > $T/wild.out 2>$T/wild.err || true
$CMD $SHARED/curves/external/*.jsonl > $T/ext.out 2>$T/ext.err || true
python3 $SHARED/bench/score.py $SHARED/curves/wild --diagnoses $T/wild.out --json > $T/wild.score
python3 $SHARED/bench/steadiness.py --cmd "cat $T/wild.out #" $SHARED/curves/wild/events/*.jsonl > $T/wild.steady
python3 $SHARED/bench/steadiness.py --cmd "cat $T/ext.out #" $SHARED/curves/external/*.jsonl > $T/ext.steady
python3 $SHARED/bench/score.py $SHARED/curves/dev --cmd "$CMD" --json > $T/dev.score
python3 bench/benchmark.py $T/pc --cmd "$CMD" --no-baselines > $T/corpus.score 2>&1
python3 bench/benchmark.py $T/sc --cmd "$CMD" --no-baselines > $T/sched.score 2>&1
$CMD $T/sc/*.jsonl > $T/sched.out 2>/dev/null || true
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
