#!/usr/bin/env bash
# Our webhook side by side with another mutating webhook through one real kube-apiserver, in alternating rounds
# (src/test/java/io/rlimitinjector/bench/WebhookComparisonBench.java): pod create median and p99 against a namespace
# no webhook is called for, calls per pod and the mean call by the API server's own metric, CPU per pod and per call,
# the first 100 pods after a start against the steady state, connections under parallel creators, RSS.
#
#   BANK_VAULTS_WEBHOOK=/path/to/vault-secrets-webhook bash hack/bench-webhooks.sh [ROUNDS [PODS [PARALLEL]]]
#
# The other webhook is Bank-Vaults' vault-secrets-webhook, a binary built by whoever runs this (PERFORMANCE.md says
# which version); this script neither fetches nor builds it, and without it measures ours alone. Ours runs as the
# chart runs it (lib/webhook.sh: its JVM flags or JVM_OPTIONS=..., its memory limit; the jar on this machine's JDK,
# or with WEBHOOK_IMAGE=rlimit-injector:<version> the image hack/build-images.sh made), registered with the chart's
# own MutatingWebhookConfiguration from deploy/, pointed at it by URL. Both webhooks start fresh, then serve the
# same pods: one container with a command, a memory limit and a Vault secret reference.
# ROUNDS defaults to 10, PODS (per side and round, and for the parallel run) to 100, PARALLEL to 6.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
source hack/lib/control-plane.sh
rounds=${1:-10}
pods=${2:-100}
parallel=${3:-6}

[[ -f target/rlimit-injector.jar ]] || mvn -B -q package -DskipTests >&2
mvn -B -q -Dexec.skip test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

CP_BIN="$(bash hack/k8s-test-binaries.sh)"
CP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rlimit-injector-webhooks.XXXXXX")"
other_pid=
finish() {
  local rc=$?
  stop_webhook
  # With no other webhook, a bare wait would wait for the control plane too.
  if [[ -n $other_pid ]]; then
    kill "$other_pid" 2>/dev/null || true
    wait "$other_pid" 2>/dev/null || true
  fi
  cp_stop
  ((rc == 0)) || { cp_show_logs; tail -n 20 "$CP_DIR"/*.log >&2 || true; }
  rm -rf "$CP_DIR"
  exit "$rc"
}
trap finish EXIT
cp_start
mkdir -p "$CP_DIR/tls"
webhook_test_certificate "$CP_DIR/tls"
ca_bundle=$(base64 -w0 <"$CP_DIR/tls/tls.crt")

namespace() { # name label=value
  cp_kubectl create namespace "$1" >/dev/null
  cp_kubectl label namespace "$1" "$2" >/dev/null
  cp_wait_for "ServiceAccount default in $1" "${cp_pids[1]}" cp_kubectl -n "$1" get serviceaccount default
}
namespace bench-none bench=none
namespace bench-ours rlimit-injector.io/inject=enabled

# The chart's registration, with a URL for its Service, and the API server client the chart's webhook has.
api_server_client 18481 "$CP_DIR/tls"
start_webhook 18481 "$CP_DIR/tls" --shutdown-delay-seconds 0
sides=("rlimit-injector:bench-ours:$WEBHOOK_PID:18481:inject.rlimit-injector.io")

if [[ -n ${BANK_VAULTS_WEBHOOK:-} ]]; then
  namespace bench-bv bench=bank-vaults
  # As Bank-Vaults' chart registers it by default (pods only here): failure policy Ignore, no reinvocation.
  cp_kubectl apply -f - >/dev/null <<EOF
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: vault-secrets-webhook}
webhooks:
  - name: pods.vault-secrets-webhook.admission.banzaicloud.com
    admissionReviewVersions: ["v1", "v1beta1"]
    sideEffects: NoneOnDryRun
    failurePolicy: Ignore
    clientConfig: {url: "https://127.0.0.1:18482/pods", caBundle: "$ca_bundle"}
    rules:
      - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}
    namespaceSelector: {matchLabels: {bench: bank-vaults}}
EOF
  # Pod mutation never calls Vault: any address will do.
  VAULT_ADDR=https://127.0.0.1:1 KUBECONFIG=$CP_KUBECONFIG KUBERNETES_NAMESPACE=default \
    LISTEN_ADDRESS=127.0.0.1:18482 TELEMETRY_LISTEN_ADDRESS=127.0.0.1:18483 \
    TLS_CERT_FILE=$CP_DIR/tls/tls.crt TLS_PRIVATE_KEY_FILE=$CP_DIR/tls/tls.key \
    "$BANK_VAULTS_WEBHOOK" >"$CP_DIR/bank-vaults.log" 2>&1 &
  other_pid=$!
  cp_wait_for "Bank-Vaults' webhook" "$other_pid" curl -fsk https://127.0.0.1:18482/healthz
  sides+=("bank-vaults:bench-bv:$other_pid:18482:pods.vault-secrets-webhook.admission.banzaicloud.com")
fi

# The API server reads webhook configurations a moment after they change: wait until each mutates a dry run of
# the benchmark's pod.
cat >"$CP_DIR/probe.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: probe}
spec:
  containers:
    - name: app
      image: python:3.12
      command: [python, app.py]
      env: [{name: PASSWORD, value: "vault:secret/data/app#password"}]
      resources: {limits: {memory: 256Mi}}
EOF
mutated() { cp_kubectl -n "$1" create --dry-run=server -o json -f "$CP_DIR/probe.yaml" | grep -q initContainers; }
for side in "${sides[@]}"; do
  IFS=: read -r _ ns _ _ _ <<<"$side"
  cp_wait_for "webhook for $ns" "${cp_pids[1]}" mutated "$ns"
done

java -Dclk.tck="$(getconf CLK_TCK)" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.rlimitinjector.bench.WebhookComparisonBench "$CP_KUBECONFIG" "$rounds" "$pods" "$parallel" bench-none \
  "${sides[@]}" 2> >(grep -v '^\[main\] INFO' >&2)
