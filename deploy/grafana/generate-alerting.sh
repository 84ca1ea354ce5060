#!/usr/bin/env bash
# Writes deploy/grafana/provisioning/alerting/loss-doctor-rules.yml from
# deploy/prometheus/rules/loss-doctor.rules.yml, and the kustomize copies in deploy/k8s/grafana/.
# Run it after editing the rules, the Alertmanager route, the data source or the dashboard.
#
#   deploy/grafana/generate-alerting.sh            # write the files
#   deploy/grafana/generate-alerting.sh --check    # exit 1 when a file is out of date
#
# The generator is a test-scope class (src/test/java/dev/lossdoctor/deploy/GrafanaAlertingGenerator.java);
# GrafanaAlertingTest checks the same. Extra Maven flags (e.g. -o) go in MAVEN_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086
mvn -B -q ${MAVEN_FLAGS:-} test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
    dev.lossdoctor.deploy.GrafanaAlertingGenerator "$@"
