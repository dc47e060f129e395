# shellcheck shell=bash
# Sourced after lib/kind.sh by the scripts that run the webhook in the kind cluster (kind-e2e.sh, demo.sh): the
# project's two images and the test images, built here and loaded into the cluster; the chart installed with
# them; one-container test pods.

# The project's two images; another KW_TAG keeps parallel runs on one Docker from loading each other's.
KW_TAG=${KW_TAG:-e2e}
KW_WEBHOOK_IMAGE=rlimit-injector/rlimit-injector:$KW_TAG
KW_LAUNCHER_IMAGE=rlimit-injector/launcher:$KW_TAG
# The test images of kind-images.sh, shared.
KW_PYTHON_IMAGE=rlimit-injector-e2e/python:e2e
KW_JAVA_IMAGE=rlimit-injector-e2e/jre:e2e
KW_NODE_IMAGE=rlimit-injector-e2e/node:e2e
KW_C_IMAGE=rlimit-injector-e2e/alloc-c:e2e
KW_IMAGES=("$KW_WEBHOOK_IMAGE" "$KW_LAUNCHER_IMAGE" "$KW_PYTHON_IMAGE" "$KW_JAVA_IMAGE" "$KW_NODE_IMAGE" "$KW_C_IMAGE")
KW_NAMESPACE=rlimit-injector
# The chart kw_helm_install installs, with its helm arguments: the directory, unless kw_chart_push set it to the
# package pushed to the node's registry.
KW_CHART=(charts/rlimit-injector)

k() { kind_kubectl "$@"; }
# Helm 4; KW_HELM=helm3 for Helm 3.
kind_helm() { KUBECONFIG=$KIND_KUBECONFIG "$KIND_TOOLS/${KW_HELM:-helm}" "$@"; }

# The webhook (Jib, on the jlinked base of webhook-base.sh: build-images.sh's default without REGISTRY), the launcher
# (target/launcher/image.tar) and the test images, into Docker and then into the cluster's node.
kw_images() {
  kind_apt_install skopeo
  bash hack/kind-images.sh >&2
  TAG=$KW_TAG bash hack/build-images.sh >&2
  docker load -q -i target/jib-image.tar >&2
  docker tag "rlimit-injector:$KW_TAG" "$KW_WEBHOOK_IMAGE"
  skopeo copy -q oci-archive:target/launcher/image.tar "docker-daemon:$KW_LAUNCHER_IMAGE" >&2
  kind_stage load bash hack/kind-cluster.sh load "${KW_IMAGES[@]}"
}

# Debian's docker-registry, run on the node: plain HTTP on the node's address, KW_REGISTRY (containerd is told so
# through certs.d; helm with --plain-http). Reachable from this host, on kind's network.
kw_registry_up() {
  local node=$KIND_CLUSTER-control-plane node_ip i
  kind_apt_install docker-registry
  node_ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$node")
  KW_REGISTRY=$node_ip:5000
  docker cp /usr/bin/docker-registry "$node:/usr/local/bin/docker-registry"
  docker exec -i "$node" sh -c 'mkdir -p /etc/docker-registry && cat >/etc/docker-registry/config.yml' <<EOF
version: 0.1
storage: {filesystem: {rootdirectory: /var/lib/docker-registry}}
http: {addr: ":5000"}
EOF
  docker exec -d "$node" sh -c 'exec docker-registry serve /etc/docker-registry/config.yml >/var/log/docker-registry.log 2>&1'
  docker exec -i "$node" sh -c "mkdir -p /etc/containerd/certs.d/$KW_REGISTRY && cat >/etc/containerd/certs.d/$KW_REGISTRY/hosts.toml" <<EOF
server = "http://$KW_REGISTRY"
[host."http://$KW_REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
  for i in $(seq 30); do
    curl -fsS "http://$KW_REGISTRY/v2/" >/dev/null 2>&1 && return 0
    sleep 1
  done
  kind_die "the registry on the node does not answer at http://$KW_REGISTRY/v2/ after 30 s"
}

# The chart as users get it: packaged and pushed as an OCI artifact (hack/release.sh, as a release does) to the
# registry of kw_registry_up; kw_helm_install then installs it from there.
kw_chart_push() {
  local version tgz
  version=$(sed -n 's/^version: //p' charts/rlimit-injector/Chart.yaml)
  tgz=$(bash hack/release.sh chart target/kind-chart "$version")
  PLAIN_HTTP=1 bash hack/release.sh push-chart "$tgz" "$KW_REGISTRY"
  KW_CHART=("oci://$KW_REGISTRY/charts/rlimit-injector" --version "$version" --plain-http)
}

# kw_helm_install RELEASE NAMESPACE [HELM-ARGS...]: helm install (or upgrade) with the chart's default values but the
# image references, and any more helm arguments. The launcher image is not checked: it comes by kind load, as to
# nodes with the image preloaded, and its reference names Docker Hub, which the webhook must not be sent to.
kw_helm_install() {
  local release=$1 namespace=$2
  shift 2
  kind_helm upgrade --install "$release" "${KW_CHART[@]}" --namespace "$namespace" --create-namespace \
    --wait --timeout 5m \
    --set image.repository="${KW_WEBHOOK_IMAGE%:*}" --set image.tag="$KW_TAG" \
    --set launcherImage.repository="${KW_LAUNCHER_IMAGE%:*}" --set launcherImage.tag="$KW_TAG" \
    --set launcherImage.check.enabled=false "$@" >&2
}

# A namespace opted in, with more labels if given.
kw_labelled_namespace() {
  k create namespace "$1" >/dev/null
  k label namespace "$1" rlimit-injector.io/inject=enabled "${@:2}" >/dev/null
}

# The webhook configuration loads asynchronously in the API server: a server-side dry run shows it in effect.
kw_wait_webhook_in_effect() {
  local i probe
  for i in $(seq 60); do
    probe=$(k -n "$1" run probe --image="$KW_C_IMAGE" --restart=Never --dry-run=server -o yaml --command -- /alloc 0 \
      2>/dev/null || true)
    [[ $probe == *rlimit-injector.io/status* ]] && return 0
    sleep 1
  done
  kind_die "the webhook does not mutate pods in $1 after 60 s"
}

# kw_pod NAMESPACE NAME IMAGE MEMORY [CONTAINER-YAML-LINES...]: a one-container pod, restartPolicy Never,
# with the launcher's verbose line on (RLIMIT_INJECTOR_VERBOSE is read by the launcher only).
kw_pod() {
  local namespace=$1 name=$2 image=$3 memory=$4 line
  shift 4
  {
    cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $name
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: $image
      imagePullPolicy: IfNotPresent
      env: [{name: RLIMIT_INJECTOR_VERBOSE, value: "1"}]
      resources: {limits: {memory: $memory}}
EOF
    for line in "$@"; do echo "      $line"; done
  } | k -n "$namespace" create -f - >/dev/null
}

# python3 allocating and touching 4000 MiB, in a 1 GiB container: the original experiment.
kw_python_alloc_pod() {
  kw_pod "$1" "$2" "$KW_PYTHON_IMAGE" 1Gi "command: [python3, -c, \"chunks = [b'x' * (1 << 20) for _ in range(4000)]\"]"
}

# Waits until a pod has ended; prints "PHASE EXITCODE REASON".
kw_ended() {
  local namespace=$1 name=$2 phase i
  for i in $(seq 180); do
    phase=$(k -n "$namespace" get pod "$name" -o jsonpath='{.status.phase}')
    if [[ $phase == Succeeded || $phase == Failed ]]; then
      k -n "$namespace" get pod "$name" -o \
        jsonpath='{.status.phase} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}'
      return 0
    fi
    sleep 1
  done
  kind_die "pod $namespace/$name did not end within 180 s: $(k -n "$namespace" describe pod "$name")"
}

kw_mutated() { [[ -n $(k -n "$1" get pod "$2" -o jsonpath='{.metadata.annotations.rlimit-injector\.io/status}') ]]; }
