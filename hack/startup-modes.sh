#!/usr/bin/env bash
# Start-up by certificate mode: process start to /readyz 200 with mounted certificate files (the chart's `secret`
# and `cert-manager` modes) and in the `self` mode (the chart's default), where the webhook first reads or creates
# its CA Secret and patches the caBundle through a real kube-apiserver. Started in turn ROUNDS times each, as the
# chart runs the jar (lib/webhook.sh: its JVM flags or JVM_OPTIONS=..., its memory limit); prints each start and
# the medians. The first `self` start creates the Secret and is reported on its own. Given several jars, each round
# starts each of them in each mode, so an A/B of two builds sees the same machine.
#   bash hack/startup-modes.sh [ROUNDS [JAR...]]      (ROUNDS defaults to 7, JAR to target/rlimit-injector.jar)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
source hack/lib/control-plane.sh
rounds=${1:-7}
jars=("${@:2}")
[[ ${#jars[@]} -gt 0 ]] || jars=(target/rlimit-injector.jar)
[[ -f target/rlimit-injector.jar ]] || mvn -B -q package -DskipTests >&2

CP_BIN="$(bash hack/k8s-test-binaries.sh)"
CP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rlimit-injector-startup.XXXXXX")"
finish() {
  local rc=$?
  stop_webhook
  cp_stop
  ((rc == 0)) || cp_show_logs
  rm -rf "$CP_DIR"
  exit "$rc"
}
trap finish EXIT
cp_start --no-controller-manager
# What the chart installs, rendered: the self mode reads and writes the Secret and the caBundle these name. No
# controller-manager runs, so the Deployment starts no pod; the jar below is the webhook.
cp_kubectl apply -f deploy/rlimit-injector.yaml >/dev/null
mkdir -p "$CP_DIR/files" "$CP_DIR/self"
webhook_test_certificate "$CP_DIR/files"
self_flags=(--self-signed-secret rlimit-injector-tls --service rlimit-injector --namespace rlimit-injector
  --webhook-configuration rlimit-injector)

start() { # mode jar -> READY_MS
  local WEBHOOK_JAR=$2
  if [[ $1 == self ]]; then
    KUBECONFIG=$CP_KUBECONFIG start_webhook 18470 "$CP_DIR/self" --shutdown-delay-seconds 0 "${self_flags[@]}"
  else
    start_webhook 18470 "$CP_DIR/files" --shutdown-delay-seconds 0
  fi
  stop_webhook
}

start self "${jars[0]}"
first_self=$READY_MS
cp_kubectl -n rlimit-injector get secret rlimit-injector-tls >/dev/null
declare -A starts
for ((round = 0; round < rounds; round++)); do
  for jar in "${jars[@]}"; do
    for mode in files self; do
      start "$mode" "$jar"
      starts[$mode $jar]+="$READY_MS "
    done
  done
done
echo "| mode | starts (ms, sorted) | median |"
echo "|---|---|---|"
echo "| self, first start (creates the Secret), ${jars[0]} | $first_self | |"
for jar in "${jars[@]}"; do
  # shellcheck disable=SC2086
  startup_row "certificate files, $jar" ${starts[files $jar]}
  # shellcheck disable=SC2086
  startup_row "self, Secret present, $jar" ${starts[self $jar]}
done
