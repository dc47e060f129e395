#!/usr/bin/env bash
# The demo: what the webhook does to a Deployment (offline), what the launcher does to a process that
# allocates past its limit, then
#   - when this machine has the kind node image cached (after one `bash hack/kind-cluster.sh up`, about 20
#     minutes): the same pod OOMKilled without the webhook and ending in MemoryError with it, in a real kind
#     cluster (hack/kind-demo.sh, about 3 minutes);
#   - else the webhook admitting examples/ through a real, local kube-apiserver (etcd + kube-apiserver +
#     kube-controller-manager on loopback, from hack/k8s-test-binaries.sh; the first run on a machine builds
#     them, about 8 minutes). Needs no cluster.
# Stops everything it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/control-plane.sh
source hack/lib/control-plane.sh
CP_LOG_TAG=demo
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh

jar=target/rlimit-injector.jar
launcher=target/launcher/linux-amd64/launch
if [[ ! -f $jar || ! -x $launcher ]]; then
  echo "== building (first run only)" >&2
  mvn -B -q package -DskipTests >&2
fi

echo "== 1. The webhook's mutation, offline: rlimit-injector inject -f examples/deployment.yaml"
java -jar "$jar" inject -f examples/deployment.yaml

echo
echo "== 2. The launcher: python3 allocates 1 GiB under a 256 MiB limit"
echo "   without the launcher, in a 256 MiB container, the kernel would SIGKILL it (exit 137);"
echo "   through it, the allocation fails inside the program:"
set +e
RLIMIT_INJECTOR_MEMORY_LIMIT=268435456 RLIMIT_INJECTOR_MODE=as RLIMIT_INJECTOR_VERBOSE=1 \
  "$launcher" -- python3 -c '
try:
    data = bytearray(1 << 30)
except MemoryError:
    print("   python3: MemoryError caught, the program reports it and exits cleanly")
    raise SystemExit(3)
'
code=$?
set -e
echo "   exit code $code (3 = the program handled MemoryError)"
[[ $code -eq 3 ]]

echo
if kind_node_image_cached; then
  echo "== 3. In a real kind cluster: the same pod without the webhook, then with it"
  exec bash hack/kind-demo.sh
fi
echo "== 3. The webhook behind a real kube-apiserver: kubectl apply -f examples/"
echo "   (no kind node image cached on this machine: \`bash hack/kind-cluster.sh up\` makes one, about 20 minutes"
echo "   once; then this demo shows the same pod OOMKilled without the webhook and MemoryError with it, in kind)"
CP_BIN="$(bash hack/k8s-test-binaries.sh)"
CP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rlimit-injector-demo.XXXXXX")"
finish() {
  local rc=$?
  cp_stop
  ((rc == 0)) || { cp_show_logs; tail -n 20 "$CP_DIR/webhook.log" >&2 || true; }
  rm -rf "$CP_DIR"
  exit "$rc"
}
trap finish EXIT
cp_start

# The webhook's serving certificate, from the control plane's CA, for the address the API server dials.
cp_sign webhook "/CN=127.0.0.1" "$(printf '%s\n' "subjectAltName=IP:127.0.0.1" "extendedKeyUsage=serverAuth")" \
  >"$CP_DIR/webhook-cert.log" 2>&1
cp_free_port webhook_port
cp_free_port metrics_port
# No launcher image check: this API server has no nodes to pull it, and its default reference is on the internet.
java -jar "$jar" serve --host 127.0.0.1 --port "$webhook_port" --metrics-port "$metrics_port" \
  --launcher-image-check=false --tls-cert "$CP_DIR/pki/webhook.crt" --tls-key "$CP_DIR/pki/webhook.key" >"$CP_DIR/webhook.log" 2>&1 &
cp_pids+=("$!")
cp_wait_for "webhook /readyz" "$!" curl -fsS "http://127.0.0.1:$metrics_port/readyz"

cp_kubectl apply -f - <<EOF
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: rlimit-injector
webhooks:
  - name: pods.rlimit-injector.io
    clientConfig:
      url: https://127.0.0.1:$webhook_port/mutate
      caBundle: $(base64 -w0 "$CP_CA_CRT")
    rules:
      - {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods], scope: Namespaced}
    namespaceSelector: {matchLabels: {rlimit-injector.io/inject: enabled}}
    objectSelector:
      matchExpressions: [{key: rlimit-injector.io/inject, operator: NotIn, values: [disabled]}]
    sideEffects: None
    admissionReviewVersions: [v1]
    reinvocationPolicy: IfNeeded
    timeoutSeconds: 5
    failurePolicy: Ignore
EOF
cp_kubectl create namespace demo
cp_kubectl label namespace demo rlimit-injector.io/inject=enabled
# Pods need the namespace's default ServiceAccount, and the API server loads webhook configurations
# asynchronously: a server-side dry run shows when both are there.
webhook_in_effect() {
  local probe
  probe=$(cp_kubectl -n demo run probe --image=registry.invalid/probe:1 --dry-run=server -o yaml 2>/dev/null) || return 1
  [[ $probe == *rlimit-injector.io/status* ]]
}
cp_wait_for "the webhook configuration in effect" "${cp_pids[-1]}" webhook_in_effect

cp_kubectl apply -f examples/
pods_created() { [[ $(cp_kubectl -n demo get pods -l app=shop -o name | wc -l) -ge 2 ]]; }
cp_wait_for "the Deployment's pods" "${cp_pids[-1]}" pods_created
pod="pod/$(cp_kubectl -n demo get pods -l app=shop -o jsonpath='{.items[0].metadata.name}')"
echo "   $pod, as the API server stored it (created by the ReplicaSet controller, mutated by the webhook):"
cp_kubectl -n demo get "$pod" -o yaml
echo "   the webhook's log:"
sed 's/^/   /' "$CP_DIR/webhook.log"
