#!/usr/bin/env bash
# The first admissions after a start against the steady state: each jar is started as the chart runs it
# (lib/webhook.sh: its JVM flags or JVM_OPTIONS=..., its memory limit), then sent REQUESTS AdmissionReviews one at a
# time over one HTTP/2 connection (src/test/java/io/rlimitinjector/bench/FirstAdmissions.java). Prints, per start,
# the time to ready and the process's CPU per request and median latency for requests 1-100, 101-500 and the last
# 500; given several jars, each round starts each of them in turn, so an A/B of builds sees the same machine.
#   bash hack/first-admissions.sh [ROUNDS [REQUESTS [JAR...]]]   (3 rounds, 3,000 requests, target/rlimit-injector.jar)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
source hack/lib/control-plane.sh
rounds=${1:-3}
requests=${2:-3000}
jars=("${@:3}")
[[ ${#jars[@]} -gt 0 ]] || jars=(target/rlimit-injector.jar)
[[ -f target/rlimit-injector.jar ]] || mvn -B -q package -DskipTests >&2
mvn -B -q -Dexec.skip test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
work=$(mktemp -d)
finish() {
  kill "${WEBHOOK_PID:-}" 2>/dev/null || true
  wait "${WEBHOOK_PID:-}" 2>/dev/null || true
  remove_limited
  cp_stop
  rm -rf "$work"
}
trap finish EXIT
webhook_test_certificate "$work"
start_api_server "$work"
api_server_client 18491 "$work"
for ((round = 1; round <= rounds; round++)); do
  for WEBHOOK_JAR in "${jars[@]}"; do
    start_webhook 18491 "$work" --shutdown-delay-seconds 0
    echo "round $round, $WEBHOOK_JAR: ready after $READY_MS ms"
    java -Dclk.tck="$(getconf CLK_TCK)" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
      io.rlimitinjector.bench.FirstAdmissions 18491 "$WEBHOOK_PID" "$requests" hack/bench/review.json "$work/tls.crt"
    echo "  RSS $(rss_mib "$WEBHOOK_PID") MiB"
    kill "$WEBHOOK_PID"
    wait "$WEBHOOK_PID" 2>/dev/null || true
    remove_limited
  done
done
