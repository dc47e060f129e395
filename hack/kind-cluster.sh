#!/usr/bin/env bash
# The project's kind cluster: one node, Kubernetes $K8S_VERSION, made from the cached node image
# (hack/kind-node-image.sh builds it offline the first time, about 20 minutes; later `up` takes under a minute).
#
#   bash hack/kind-cluster.sh up                 # creates the cluster, or reuses a running one
#   bash hack/kind-cluster.sh load IMAGE...      # copies images from Docker into the node (kind load)
#   bash hack/kind-cluster.sh env                # prints exports for KUBECONFIG and a matching kubectl:
#                                                #   eval "$(bash hack/kind-cluster.sh env)"; kubectl get pods -A
#   bash hack/kind-cluster.sh down               # deletes it
#
# Environment: KIND_CLUSTER (name, default rlimit-injector), K8S_VERSION, KIND_NODE_IMAGE (a published
# kindest/node image instead of the one built here), RLIMIT_INJECTOR_CACHE, KIND_EXTRA_CONFIG (a file of kind
# config lines appended to the generated config: top-level keys it does not set, e.g. featureGates).
# Containerd on the node reads registry settings from /etc/containerd/certs.d (hosts.toml per registry).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
KIND_LOG_TAG=kind-cluster

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

node_container() { echo "$KIND_CLUSTER-control-plane"; }

running() {
  kind_cli get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER" &&
    [[ $(docker inspect -f '{{.State.Running}}' "$(node_container)" 2>/dev/null) == true ]]
}

up() {
  kind_docker_up
  kind_tools
  KIND_K8S_BIN=$(bash hack/k8s-test-binaries.sh)
  mkdir -p "$(dirname "$KIND_KUBECONFIG")"
  if running; then
    kind_log "reusing the running cluster $KIND_CLUSTER"
    kind_cli export kubeconfig --name "$KIND_CLUSTER" --kubeconfig "$KIND_KUBECONFIG" >&2
  else
    local image config
    image=$(kind_stage node-image bash hack/kind-node-image.sh)
    kind_cli delete cluster --name "$KIND_CLUSTER" >/dev/null 2>&1 || true
    config=$(mktemp)
    # The image built here has no kindnetd (it is not buildable offline): a bridge CNI is in the node instead.
    {
      echo 'kind: Cluster'
      echo 'apiVersion: kind.x-k8s.io/v1alpha4'
      if [[ $image == "$KIND_LOCAL_NODE_IMAGE" ]]; then
        echo 'networking: {disableDefaultCNI: true}'
      fi
      # Kubelets from 1.35 refuse a cgroup v1 host (this project's machines) unless told (1.37 still only warns
      # then, hack/README.md "kind cluster"); the field exists since 1.31 and means nothing on cgroup v2.
      # From 1.35 a kubelet that pulled an image from a registry also checks any other name of that image before
      # using it (KubeletEnsureSecretPulledImages), by pulling it: a test image loaded with `kind load` and pushed to
      # the e2e's registry would then need Docker Hub. This node's images come by `kind load`: no check. A 1.34
      # kubelet (gate off) refuses to start with this field: hack/image-volume-unsupported.sh patches it out.
      echo 'kubeadmConfigPatches:'
      echo '  - |'
      echo '    kind: KubeletConfiguration'
      echo '    failCgroupV1: false'
      echo '    imagePullCredentialsVerificationPolicy: NeverVerify'
      echo 'containerdConfigPatches:'
      echo '  - |-'
      echo '    [plugins."io.containerd.grpc.v1.cri".registry]'
      echo '      config_path = "/etc/containerd/certs.d"'
      echo 'nodes: [{role: control-plane}]'
      [[ -z ${KIND_EXTRA_CONFIG:-} ]] || cat "$KIND_EXTRA_CONFIG"
    } >"$config"
    kind_stage create-cluster kind_cli create cluster --name "$KIND_CLUSTER" --image "$image" --config "$config" \
      --kubeconfig "$KIND_KUBECONFIG" --wait 3m >&2 || {
      rm -f "$config"
      kind_die "kind create cluster failed (above); the node's logs: kind export logs --name $KIND_CLUSTER"
    }
    rm -f "$config"
  fi
  kind_stage cluster-ready wait_ready
}

# The node Ready and CoreDNS answering: pods can be scheduled and resolve services.
wait_ready() {
  kind_kubectl wait --for=condition=Ready node --all --timeout=120s >&2
  kind_kubectl -n kube-system rollout status deployment/coredns --timeout=120s >&2
  # Pods need their namespace's default ServiceAccount, made by the controller manager.
  local i
  for i in $(seq 60); do
    kind_kubectl -n default get serviceaccount default >/dev/null 2>&1 && return 0
    sleep 1
  done
  kind_die "no default ServiceAccount after 60 s"
}

load() {
  (($# > 0)) || usage
  kind_docker_up
  running || kind_die "cluster $KIND_CLUSTER is not running: bash hack/kind-cluster.sh up"
  kind_cli load docker-image --name "$KIND_CLUSTER" "$@" >&2
}

down() {
  kind_docker_up
  kind_cli delete cluster --name "$KIND_CLUSTER" >&2
  rm -f "$KIND_KUBECONFIG"
}

# kubectl, helm and kind, with the docker shim first when this machine needs it (it only rewrites --privileged).
env_exports() {
  local shim=
  [[ ! -x $KIND_TOOLS/shim/docker ]] || shim=$KIND_TOOLS/shim:
  printf 'export KUBECONFIG=%q\n' "$KIND_KUBECONFIG"
  printf 'export PATH=%q%q:%q:"$PATH"\n' "$shim" "$(bash hack/k8s-test-binaries.sh)" "$KIND_TOOLS"
}

case "${1:-}" in
  up) up ;;
  load) shift && load "$@" ;;
  down) down ;;
  env) env_exports ;;
  *) usage ;;
esac
