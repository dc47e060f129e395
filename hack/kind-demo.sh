#!/usr/bin/env bash
# The promise, shown in a real kind cluster: the same pod (python3 allocating 4000 MiB under a 1 GiB limit) is
# OOMKilled without the webhook and ends in a MemoryError with it. Uses the cluster hack/kind-cluster.sh makes
# (reused when running, else created from the cached node image and deleted at the end unless KEEP_CLUSTER=1);
# builds and loads the images, installs the chart. About 3 minutes once the node image is cached.
#   bash hack/kind-demo.sh        (hack/demo.sh runs it when the node image is cached)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
# shellcheck source=lib/kind-webhook.sh
source hack/lib/kind-webhook.sh
KIND_LOG_TAG=kind-demo

kind_docker_up
created=
if ! kind_cli get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  created=1
fi
in_setup=
finish() {
  local rc=$?
  if [[ -n $in_setup ]]; then
    exec 1>&3 2>&4
    tail -n 30 "$setup_log" >&2
  fi
  if [[ -n $created && -z ${KEEP_CLUSTER:-} ]]; then
    bash hack/kind-cluster.sh down >/dev/null 2>&1 || true
  else
    kind_log "cluster $KIND_CLUSTER left running: eval \"\$(bash hack/kind-cluster.sh env)\"; kubectl get pods -A"
  fi
  exit "$rc"
}
trap finish EXIT

# The setup's own output goes to a log, shown only when it fails.
setup_log=target/kind-demo-setup.log
mkdir -p target
setup() {
  bash hack/kind-cluster.sh up
  KIND_K8S_BIN=$(bash hack/k8s-test-binaries.sh)
  kw_images
  kw_helm_install rlimit-injector "$KW_NAMESPACE"
  for n in demo-without demo-with; do k delete namespace "$n" --ignore-not-found --wait=true >/dev/null; done
  k create namespace demo-without >/dev/null
  kw_labelled_namespace demo-with
  kw_wait_webhook_in_effect demo-with
}
echo "   cluster $KIND_CLUSTER (kind, Kubernetes $K8S_VERSION), the two images built here, helm install" \
  "(log: $setup_log)"
in_setup=1
exec 3>&1 4>&2 >"$setup_log" 2>&1
setup
exec 1>&3 2>&4
in_setup=

echo "   the same pod in two namespaces: python3 -c \"chunks = [b'x' * (1 << 20) for _ in range(4000)]\", limit 1Gi"
kw_python_alloc_pod demo-without alloc
kw_python_alloc_pod demo-with alloc
for n in demo-without demo-with; do
  read -r phase code reason <<<"$(kw_ended "$n" alloc)"
  echo
  if [[ $n == demo-with ]]; then
    echo "   namespace $n (labelled rlimit-injector.io/inject=enabled): $phase, exit code $code, reason $reason"
  else
    echo "   namespace $n (not labelled): $phase, exit code $code, reason $reason"
  fi
  log=$(k -n "$n" logs alloc -c main | tail -n 6)
  echo "   its log:"
  echo "${log:-(empty: the kernel killed it before it could say anything)}" | sed 's/^/     /'
done
k delete namespace demo-without demo-with --wait=false >/dev/null
