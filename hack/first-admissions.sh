#!/usr/bin/env bash
# The first admissions after a start against the steady state: each build is started as the chart runs it
# (lib/webhook.sh: its JVM flags or JVM_OPTIONS=..., its memory limit), then sent REQUESTS AdmissionReviews one at a
# time over one HTTP/2 connection (src/test/java/io/rlimitinjector/bench/FirstAdmissions.java). Prints, per start,
# the time to ready and the process's CPU per request and median latency for requests 1-100, 101-500 and the last
# 500; given several builds, each round starts each of them in turn, so an A/B of builds sees the same machine.
#   bash hack/first-admissions.sh [ROUNDS [REQUESTS [BUILD...]]]   (3 rounds, 3,000 requests, target/rlimit-injector.jar)
# A BUILD is a jar, or docker:IMAGE for a webhook image in Docker (hack/build-images.sh loads it as
# rlimit-injector:<version>), run as its pod runs it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
source hack/lib/control-plane.sh
rounds=${1:-3}
requests=${2:-3000}
builds=("${@:3}")
[[ ${#builds[@]} -gt 0 ]] || builds=(target/rlimit-injector.jar)
[[ -f target/rlimit-injector.jar ]] || mvn -B -q package -DskipTests >&2
mvn -B -q -Dexec.skip test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
work=$(mktemp -d)
finish() {
  stop_webhook
  cp_stop
  rm -rf "$work"
}
trap finish EXIT
webhook_test_certificate "$work"
start_api_server "$work"
api_server_client 18491 "$work"
for ((round = 1; round <= rounds; round++)); do
  for build in "${builds[@]}"; do
    case $build in
      docker:*) WEBHOOK_IMAGE=${build#docker:} ;;
      *) WEBHOOK_IMAGE='' WEBHOOK_JAR=$build ;;
    esac
    start_webhook 18491 "$work" --shutdown-delay-seconds 0
    echo "round $round, $build: ready after $READY_MS ms"
    java -Dclk.tck="$(getconf CLK_TCK)" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
      io.rlimitinjector.bench.FirstAdmissions 18491 "$WEBHOOK_PID" "$requests" hack/bench/review.json "$work/tls.crt"
    echo "  RSS $(rss_mib "$WEBHOOK_PID") MiB"
    stop_webhook
  done
done
