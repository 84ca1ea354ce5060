#!/usr/bin/env bash
# JMH benchmark of the analysis core: points analysed per second per thread, and the serialized
# state per run. Usage: bench/run-jmh.sh [JMH options, e.g. -f 1 -wi 2 -i 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main AnalysisBenchmark "$@"
