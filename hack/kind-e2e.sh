#!/usr/bin/env bash
# End-to-end on a kind cluster (needs Docker, kind, kubectl, helm and skopeo; CI does not run it, there is no
# Docker engine there). It builds both images, loads them into a new cluster, installs the chart, and runs the
# original experiment: a pod limited to 1 GiB that allocates 4000 MiB
#   - in a namespace labelled rlimit-injector.io/inject=enabled ends with a Python MemoryError in its log;
#   - in an unlabelled namespace ends OOMKilled.
# The cluster is deleted at the end unless KEEP_CLUSTER=1.
#   bash hack/kind-e2e.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cluster="${KIND_CLUSTER:-rlimit-injector-e2e}"
tag=e2e
webhook_image="rlimit-injector/rlimit-injector:$tag"
launcher_image="rlimit-injector/launcher:$tag"
python_image="${PYTHON_IMAGE:-python:3.12-slim}"
timeout=180s

log() { printf '[kind-e2e] %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
for tool in docker kind kubectl helm skopeo; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

cleanup() {
  if [[ -z ${KEEP_CLUSTER:-} ]]; then
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  else
    log "kept cluster $cluster (kind delete cluster --name $cluster)"
  fi
}
trap cleanup EXIT

log "building images"
TAG="$tag" bash hack/build-images.sh >&2
docker load -i target/jib-image.tar >&2
docker tag "rlimit-injector:$tag" "$webhook_image"
skopeo copy "oci-archive:target/launcher/image.tar" "docker-daemon:$launcher_image" >&2

log "creating cluster $cluster"
kind create cluster --name "$cluster" --wait 120s >&2
kind load docker-image --name "$cluster" "$webhook_image" "$launcher_image" >&2
docker pull -q "$python_image" >&2
kind load docker-image --name "$cluster" "$python_image" >&2

log "installing the chart"
helm install rlimit-injector charts/rlimit-injector --namespace rlimit-injector --create-namespace --wait \
  --timeout 5m \
  --set image.repository="${webhook_image%:*}" --set image.tag="$tag" --set image.pullPolicy=Never \
  --set launcherImage.repository="${launcher_image%:*}" --set launcherImage.tag="$tag" >&2
# The webhook patches its caBundle before it reports ready; wait for it anyway, so the first pod is mutated.
for _ in $(seq 60); do
  bundle=$(kubectl get mutatingwebhookconfiguration rlimit-injector \
    -o jsonpath='{.webhooks[0].clientConfig.caBundle}')
  [[ -n $bundle ]] && break
  sleep 2
done
[[ -n $bundle ]] || die "caBundle was never patched"

kubectl create namespace e2e-on >&2
kubectl label namespace e2e-on rlimit-injector.io/inject=enabled >&2
kubectl create namespace e2e-off >&2

# Allocates and touches 4000 MiB, 1 MiB at a time, in a container limited to 1 GiB.
run_pod() {
  kubectl -n "$1" apply -f - >&2 <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: alloc
spec:
  restartPolicy: Never
  containers:
    - name: alloc
      image: $python_image
      imagePullPolicy: IfNotPresent
      command: ["python3", "-c", "chunks = [b'x' * (1 << 20) for _ in range(4000)]; print('allocated', len(chunks))"]
      resources:
        limits:
          memory: 1Gi
YAML
  kubectl -n "$1" wait pod/alloc --for=jsonpath='{.status.phase}'=Failed --timeout="$timeout" >&2 ||
    die "pod in $1 did not fail: $(kubectl -n "$1" get pod alloc -o yaml)"
}

log "opted-in namespace: expecting a MemoryError"
run_pod e2e-on
status=$(kubectl -n e2e-on get pod alloc -o jsonpath='{.metadata.annotations.rlimit-injector\.io/status}')
[[ -n $status ]] || die "pod in e2e-on was not mutated"
log "status annotation: $status"
kubectl -n e2e-on logs alloc | grep -q MemoryError || die "no MemoryError in the log: $(kubectl -n e2e-on logs alloc)"
reason=$(kubectl -n e2e-on get pod alloc -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}')
[[ $reason != OOMKilled ]] || die "pod in e2e-on was OOM-killed despite the launcher"

log "unlabelled namespace: expecting OOMKilled"
run_pod e2e-off
[[ -z $(kubectl -n e2e-off get pod alloc -o jsonpath='{.metadata.annotations.rlimit-injector\.io/status}') ]] ||
  die "pod in the unlabelled namespace was mutated"
reason=$(kubectl -n e2e-off get pod alloc -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}')
[[ $reason == OOMKilled ]] || die "expected OOMKilled in e2e-off, got '$reason'"

log "PASS: MemoryError with the launcher, OOMKilled without"
