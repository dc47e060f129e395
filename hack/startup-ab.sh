#!/usr/bin/env bash
# Start-up A/B: process start to /readyz 200 for two builds of the jar, started in turn ROUNDS times each as the
# chart runs them (lib/webhook.sh: its JVM flags or JVM_OPTIONS=..., its memory limit), so both see the same
# machine; prints each start and the medians.
#   bash hack/startup-ab.sh OLD.jar NEW.jar [ROUNDS]      (ROUNDS defaults to 7)
# Keep an old build with: cp target/rlimit-injector.jar /tmp/old.jar
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
[[ $# -ge 2 ]] || { sed -n '2,5p' "$0" >&2; exit 2; }
jars=("$1" "$2")
rounds=${3:-7}
work=$(mktemp -d)
trap 'stop_webhook; rm -rf "$work"' EXIT
webhook_test_certificate "$work"
declare -A starts
for ((round = 0; round < rounds; round++)); do
  for jar in "${jars[@]}"; do
    WEBHOOK_JAR=$jar start_webhook 18460 "$work" --shutdown-delay-seconds 0
    starts[$jar]+="$READY_MS "
    stop_webhook
  done
done
echo "| jar | starts (ms, sorted) | median |"
echo "|---|---|---|"
for jar in "${jars[@]}"; do
  # shellcheck disable=SC2086
  startup_row "$jar" ${starts[$jar]}
done
