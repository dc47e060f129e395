#!/usr/bin/env bash
# What a user sees when a pod made with `inject --delivery=imageVolume` lands on a node that cannot mount image
# volumes: Kubernetes v1.34.4 (ImageVolume beta, off by default) on Debian's containerd 1.6.20 (image volumes need
# containerd 2.1+). Not part of CI: a rerunnable experiment, documented in docs/command-line.md ("On a node without
# image volumes"). Offline, from cached images only: the node image rlimit-injector/kind-node:v1.34.4-kind-v0.30.0
# (docker load -i $RLIMIT_INJECTOR_CACHE/kind-node/v1.34.4-kind-v0.30.0/node-image.tar), and the launcher and
# alloc-c test images of hack/lib/kind-webhook.sh (kw_images builds them). hack/kind-node-image.sh now builds its nodes
# on containerd 2.2; that 1.34 image is what it built before the move (git show aa34a1d:hack/kind-node-image.sh).
#
#   bash hack/image-volume-unsupported.sh [SCENARIO...]   # default: a b c
#
# Each scenario is a fresh one-node kind cluster (ivu-SCENARIO), deleted afterwards:
#   a  ImageVolume on in the API server only: the kubelet does not support it;
#   b  ImageVolume on everywhere: the kubelet supports it, containerd 1.6 does not;
#   c  ImageVolume off everywhere (plain 1.34).
# In each, two pods from one manifest (restartPolicy Never): `iv` made by inject --delivery=imageVolume, and `ic` by
# --delivery=initContainer as the control. After $WATCH_SECONDS (90) it prints one line per scenario: the kubelet
# and runtime versions, ImageVolume as the API server's and the kubelet's metrics report it, then for `iv` the
# phase/reason states it went through, whether its spec kept the image volume, how many Warning events it got and
# the last one's text, and for `ic` its final state and last log line (the allocator failing at the limit).
# The full `kubectl describe`, pod YAML and events are in target/image-volume-unsupported/SCENARIO/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export K8S_VERSION=v1.34.4
export KIND_NODE_IMAGE=rlimit-injector/kind-node:v1.34.4-kind-v0.30.0
WATCH_SECONDS=${WATCH_SECONDS:-90}
LAUNCHER_IMAGE=rlimit-injector/launcher:e2e
APP_IMAGE=rlimit-injector-e2e/alloc-c:e2e
OUT=target/image-volume-unsupported

ls target/rlimit-injector.jar >/dev/null 2>&1 || nice mvn -B -q -DskipTests package >&2
saved=${RLIMIT_INJECTOR_CACHE:-$HOME/.cache/rlimit-injector}/kind-node/v1.34.4-kind-v0.30.0/node-image.tar
docker image inspect "$KIND_NODE_IMAGE" >/dev/null 2>&1 || docker load -q -i "$saved" >&2
if ! docker image inspect "$LAUNCHER_IMAGE" "$APP_IMAGE" >/dev/null; then
  echo "missing $LAUNCHER_IMAGE or $APP_IMAGE: source hack/lib/kind.sh hack/lib/kind-webhook.sh; kw_images" >&2
  exit 1
fi

# Extra kind config per scenario. The cached 1.34 node image has a bridge CNI and no kindnetd. A 1.34 kubelet
# refuses to start with hack/kind-cluster.sh's imagePullCredentialsVerificationPolicy (its gate,
# KubeletEnsureSecretPulledImages, is alpha and off in 1.34): removed here, after kind's merge patches.
extra_config() {
  echo 'networking: {disableDefaultCNI: true}'
  case $1 in
    b) echo 'featureGates: {ImageVolume: true}' ;;
    a | c) ;;
    *) echo "unknown scenario $1 (a, b or c)" >&2 && exit 2 ;;
  esac
  echo 'kubeadmConfigPatchesJSON6902:'
  echo '  - group: kubelet.config.k8s.io'
  echo '    version: v1beta1'
  echo '    kind: KubeletConfiguration'
  echo '    patch: |'
  echo '      - {op: remove, path: /imagePullCredentialsVerificationPolicy}'
  if [[ $1 == a ]]; then
    echo '  - group: kubeadm.k8s.io'
    echo '    version: v1beta3'
    echo '    kind: ClusterConfiguration'
    echo '    patch: |'
    echo '      - {op: add, path: /apiServer/extraArgs/feature-gates, value: ImageVolume=true}'
  fi
}

pod_manifest() {
  cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: $APP_IMAGE
      imagePullPolicy: IfNotPresent
      command: [/alloc, "2048", "1024"]
      resources: {limits: {memory: 1Gi}}
EOF
}

# ImageVolume's value in a component's kubernetes_feature_enabled metric (raw path of its /metrics).
gate() {
  k get --raw "$1" | sed -n 's/^kubernetes_feature_enabled{name="ImageVolume",stage="[A-Z]*"} \([01]\)$/\1/p' |
    sed 's/1/on/; s/0/off/'
}

# A pod's phase and its container's state reason, e.g. "Pending/ContainerCreating".
pod_state() {
  k get pod "$1" -o jsonpath='{.status.phase}/{range .status.containerStatuses[0].state.*}{.reason}{end}' 2>/dev/null
}

# The image-volume pod: the states it went through, whether its spec kept the volume, its Warning events (the
# kubelet's retries: their counts summed, as each retry may be its own event) and the last one's text.
iv_summary() {
  local kept warnings event
  kept=$(k get pod iv -o jsonpath='{.spec.volumes[?(@.name=="rlimit-injector")].image.reference}')
  warnings=$(k get events --field-selector involvedObject.name=iv,type=Warning \
    -o jsonpath='{range .items[*]}{.count}{"\n"}{end}' | awk '{ n += $1 } END { print n + 0 }')
  event=$(k get events --field-selector involvedObject.name=iv,type=Warning --sort-by=.lastTimestamp \
    -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}' | tail -n 1)
  printf '%s; image volume in spec: %s; %s warnings, last: %s' "$1" "${kept:-no}" "$warnings" "${event:-none}"
}

scenario() {
  local s=$1 config node seen='' state i kubelet runtime iv
  export KIND_CLUSTER=ivu-$s
  # shellcheck source=lib/kind.sh
  source hack/lib/kind.sh
  config=$(mktemp)
  extra_config "$s" >"$config"
  # shellcheck disable=SC2064 # $config is expanded now: the trap runs after this function has returned
  trap "rm -f $config; bash hack/kind-cluster.sh down >/dev/null 2>&1 || true" EXIT
  KIND_EXTRA_CONFIG=$config bash hack/kind-cluster.sh up
  bash hack/kind-cluster.sh load "$LAUNCHER_IMAGE" "$APP_IMAGE"
  KIND_K8S_BIN=$(bash hack/k8s-test-binaries.sh)
  k() { kind_kubectl "$@"; }
  node=$(k get nodes -o jsonpath='{.items[0].metadata.name}')
  rm -rf "${OUT:?}/$s" && mkdir -p "$OUT/$s"
  cp "$config" "$OUT/$s/kind-extra-config.yaml"

  pod_manifest iv | java -jar target/rlimit-injector.jar inject -f - --delivery=imageVolume \
    --launcher-image "$LAUNCHER_IMAGE" >"$OUT/$s/iv.injected.yaml"
  pod_manifest ic | java -jar target/rlimit-injector.jar inject -f - --delivery=initContainer \
    --launcher-image "$LAUNCHER_IMAGE" >"$OUT/$s/ic.injected.yaml"
  k create -f "$OUT/$s/iv.injected.yaml" -f "$OUT/$s/ic.injected.yaml" >"$OUT/$s/create.txt" 2>&1 || true
  for ((i = 0; i < WATCH_SECONDS; i += 3)); do
    state=$(pod_state iv)
    [[ -z $state || $seen == "$state" || $seen == *" > $state" ]] || seen+="${seen:+ > }$state"
    sleep 3
  done

  for pod in iv ic; do
    k describe pod "$pod" >"$OUT/$s/$pod.describe.txt" 2>&1 || true
    k get pod "$pod" -o yaml >"$OUT/$s/$pod.yaml" 2>&1 || true
  done
  k get events -o wide --sort-by=.lastTimestamp >"$OUT/$s/events.txt" 2>&1 || true
  kubelet=$(k get node "$node" -o jsonpath='{.status.nodeInfo.kubeletVersion}')
  runtime=$(k get node "$node" -o jsonpath='{.status.nodeInfo.containerRuntimeVersion}')
  if [[ -n $seen ]]; then iv=$(iv_summary "$seen"); else iv="not created: $(tr '\n' ' ' <"$OUT/$s/create.txt")"; fi
  echo "scenario $s: $kubelet, $runtime, ImageVolume apiserver=$(gate /metrics)" \
    "kubelet=$(gate "/api/v1/nodes/$node/proxy/metrics") | imageVolume pod after ${WATCH_SECONDS}s: $iv |" \
    "initContainer pod: $(pod_state ic), $(k logs ic -c main 2>&1 | tail -n 1)"
}

scenarios=("$@")
((${#scenarios[@]})) || scenarios=(a b c)
for s in "${scenarios[@]}"; do (scenario "$s"); done
