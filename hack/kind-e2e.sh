#!/usr/bin/env bash
# End to end in a real kind cluster (hack/kind-cluster.sh): the two images built here, both install paths, and
# real pods started by a real kubelet:
#   - helm install from an OCI registry (the chart packaged and pushed by hack/release.sh to a registry on the node;
#     default values but the image references): certificate made, caBundle patched, replicas Ready;
#   - python3 allocating 4000 MiB under a 1 GiB limit: MemoryError, exit 1, in an opted-in namespace; OOMKilled,
#     137, in another;
#   - a JVM and a Node.js pod in auto mode start through the launcher and fail an over-allocation in the runtime;
#   - static C and python3 growing 1 MiB (or 1 KiB) at a time, limits 64Mi to 4Gi: their own allocation error, never
#     OOMKilled; 900 MiB in 1 GiB runs to completion;
#   - a pod with no command, its image in a registry on the node (registry.insecureRegistries), runs the ENTRYPOINT
#     and CMD the webhook read;
#   - the chart's registry.mirrors (the image of a loopback-named registry read through its mirror, the node's) and
#     registry.lookups=false (a pod without a command left unwrapped, reason entrypoint-unknown);
#   - registry.privateRegistries and registry.ca: the node's registry over TLS with a CA made for the run, refused
#     while unlisted (a private address), untrusted without the CA, read and the pod wrapped with it;
#   - python3 over a 1 GiB limit set only at pod level (spec.resources): MemoryError, exit 1; SIGKILLed unlabelled;
#   - the launcher image named by a tag that registry lacks: the webhook stays ready, a pod is admitted unchanged
#     with reason launcher-image-unavailable and runs; once the tag is pushed, pods get the launcher from it again;
#   - a non-root pod with a read-only root filesystem in a namespace enforcing Pod Security "restricted";
#   - the python, growing and restricted checks again with the launcher delivered as an image volume
#     (injection.delivery=imageVolume): no init container, and one webhook call per pod with either delivery;
#   - helm test; the check command explaining an opted-in pod, one opted out, one without a limit, and, with
#     the webhook scaled to zero, that it has no ready endpoint;
#   - chart values on one replica: hostNetwork on ports 9443/9080, extraArgs, extraEnv, no PodDisruptionBudget;
#     an opted-in pod mutated through the node's port; a second replica Pending for want of free ports;
#   - the webhook scaled to zero: pods admitted unmutated; a rolling restart under a stream of pod creations;
#   - Helm 3 (helm3) installs the chart as a release of its own and uninstalls it;
#   - helm uninstall leaves no webhook configuration; then the same with kubectl apply -k of an overlay of deploy/.
# Every check prints PASS or fails the run. Pod start-up by delivery is measured apart: hack/startup-deliveries.sh.
# Measurements go to stdout as "measure: ..." lines and to
# target/kind-e2e/measurements.txt. The cluster is deleted at the end unless KEEP_CLUSTER=1.
#   bash hack/kind-e2e.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export KIND_CLUSTER="${KIND_CLUSTER:-rlimit-injector-e2e}"
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
KIND_LOG_TAG=kind-e2e

# shellcheck source=lib/kind-webhook.sh
source hack/lib/kind-webhook.sh
ns=$KW_NAMESPACE
out=target/kind-e2e
mkdir -p "$out"
: >"$out/measurements.txt"
export KIND_STAGE_LOG=$PWD/$out/measurements.txt # every stage's time, of this script and those it runs
start_total=$SECONDS

passed=0
fail() {
  kind_log "FAIL: $*"
  echo "e2e: $passed passed, 1 failed"
  exit 1
}
pass() {
  kind_log "PASS: $*"
  passed=$((passed + 1))
}
measure() {
  echo "measure: $*"
  echo "$*" >>"$out/measurements.txt"
}
finish() {
  local rc=$?
  ((rc == 0)) || {
    kind_log "cluster state at the failure:"
    k get pods -A -o wide >&2 2>/dev/null || true
    k -n "$ns" logs deploy/rlimit-injector --tail=30 >&2 2>/dev/null || true
  }
  if [[ -z ${KEEP_CLUSTER:-} ]]; then
    bash hack/kind-cluster.sh down >/dev/null 2>&1 || true
  else
    kind_log "kept cluster $KIND_CLUSTER: eval \"\$(KIND_CLUSTER=$KIND_CLUSTER bash hack/kind-cluster.sh env)\""
  fi
  exit "$rc"
}
trap finish EXIT

# --- the cluster and the images -------------------------------------------------------------------------------
kind_stage cluster bash hack/kind-cluster.sh up
KIND_K8S_BIN=$(bash hack/k8s-test-binaries.sh)
kind_docker_up

kind_stage images kw_images
for i in "${KW_IMAGES[@]}"; do
  measure "image size $i: $(docker image inspect -f '{{.Size}}' "$i" | awk '{printf "%.1f", $1 / 1e6}') MB"
done

# --- the registry on the node, and the chart in it, where every helm install below takes it from -------------------
kind_stage registry kw_registry_up
registry=$KW_REGISTRY
kind_stage chart-push kw_chart_push

# --- helpers --------------------------------------------------------------------------------------------------
logs_have() {
  local l
  l=$(k -n "$1" logs "$2" -c main)
  [[ $l == *"$3"* ]] || fail "$1/$2: no '$3' in its log: $l"
}

# Installed: the Secret made, the caBundle patched with its CA, every replica Ready.
# check_installed HOW [NAMESPACE NAME]: the release's objects are named NAME (default rlimit-injector, in $ns).
check_installed() {
  local how=$1 namespace=${2:-$ns} name=${3:-rlimit-injector} bundle ca ready want i
  k -n "$namespace" rollout status "deployment/$name" --timeout=180s >&2
  for i in $(seq 60); do
    bundle=$(k get mutatingwebhookconfiguration "$name" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')
    [[ -n $bundle ]] && break
    sleep 1
  done
  [[ -n $bundle ]] || fail "$how: the caBundle was never patched"
  ca=$(k -n "$namespace" get secret "$name-tls" -o jsonpath='{.data.ca\.crt}')
  [[ $(base64 -d <<<"$bundle") == "$(base64 -d <<<"$ca")" ]] || fail "$how: the caBundle is not the CA of the Secret"
  want=$(k -n "$namespace" get deployment "$name" -o jsonpath='{.spec.replicas}')
  ready=$(k -n "$namespace" get deployment "$name" -o jsonpath='{.status.readyReplicas}')
  ((want >= 2)) && [[ $ready == "$want" ]] || fail "$how: $ready of $want replicas Ready"
  pass "$how: certificate Secret made, caBundle patched with its CA, $ready of $want replicas Ready"
}

check_uninstalled() {
  local left
  left=$(k get mutatingwebhookconfigurations -o name | grep rlimit-injector || true)
  [[ -z $left ]] || fail "$1 left $left behind"
  pass "$1 leaves no webhook configuration"
}

# Waits for a pod to end; fails the run unless it ran to completion.
check_completed() { # NAMESPACE NAME
  local result
  result=$(kw_ended "$1" "$2")
  [[ $result == "Succeeded 0 Completed" ]] || fail "$1/$2: want 'Succeeded 0 Completed', got '$result'"
}

# Fails the run unless a pod's rlimit-injector.io/status annotation matches *PATTERN* (a glob).
check_status() { # NAMESPACE NAME PATTERN WHAT-IS-WRONG
  local status
  status=$(k -n "$1" get pod "$2" -o jsonpath='{.metadata.annotations.rlimit-injector\.io/status}')
  # PATTERN unquoted: matched as a glob.
  [[ $status == *$3* ]] || fail "$1/$2: $4: $status"
}

# python3 allocating 4000 MiB under 1 GiB: MemoryError with the launcher, delivered as DELIVERY.
check_memory_error() {
  local namespace=$1 delivery=$2 result
  kw_python_alloc_pod "$namespace" alloc
  result=$(kw_ended "$namespace" alloc)
  check_delivery "$namespace" alloc "$delivery"
  [[ $result == "Failed 1 Error" ]] || fail "$namespace/alloc: want 'Failed 1 Error', got '$result'"
  logs_have "$namespace" alloc MemoryError
  logs_have "$namespace" alloc "rlimit-injector: limit"
  pass "$namespace: python3 over its 1 GiB limit ends in MemoryError, exit 1, not OOMKilled ($result, $delivery)"
}

# The pod got the launcher by DELIVERY: the status says so, and only the init-container delivery adds one.
check_delivery() {
  local namespace=$1 name=$2 delivery=$3 init
  check_status "$namespace" "$name" "\"delivery\":\"$delivery\"" "not delivered by $delivery"
  init=$(k -n "$namespace" get pod "$name" -o jsonpath='{.spec.initContainers[*].name}')
  case $delivery in
    initContainer) [[ $init == rlimit-injector-install ]] || fail "$namespace/$name: init containers '$init'" ;;
    imageVolume) [[ -z $init ]] || fail "$namespace/$name: an image-volume pod has init containers '$init'" ;;
  esac
}

# One replica's /metrics, on its plain-HTTP metrics port, through the API server's pod proxy.
# A file of /proc/<pid>/ of a replica's webhook process, read on the node: the webhook image has no shell and no cat.
webhook_proc() { # POD FILE
  local id pid
  id=$(k -n "$ns" get pod "$1" -o jsonpath='{.status.containerStatuses[?(@.name=="webhook")].containerID}')
  pid=$(docker exec "$KIND_CLUSTER-control-plane" crictl inspect --output go-template --template '{{.info.pid}}' \
    "${id#containerd://}")
  [[ $pid =~ ^[0-9]+$ ]] || kind_die "no process for the webhook container of $1 ($id): '$pid'"
  docker exec "$KIND_CLUSTER-control-plane" cat "/proc/$pid/$2"
}
replica_metrics() { k get --raw "/api/v1/namespaces/$ns/pods/http:$1:8080/proxy/metrics"; }
# The webhook's admissions so far, summed over its serving replicas (each counts its own).
admissions() {
  local p total=0 n
  for p in $(serving_replicas); do
    n=$(replica_metrics "$p" |
      awk '/^rlimit_injector_admissions_total/ {s += $2} END {printf "%d", s}')
    total=$((total + n))
  done
  echo "$total"
}
# The serving pods: Running and not being deleted (a restart's old pods may still be draining).
serving_replicas() {
  k -n "$ns" get pods -l app.kubernetes.io/name=rlimit-injector -o jsonpath='{range .items[?(@.status.phase=="Running")]}{.metadata.name} {.metadata.deletionTimestamp}{"\n"}{end}' |
    awk 'NF == 1'
}

# After a rollout, the old replicas keep answering while they drain: wait until only the new ones are left.
wait_old_replicas_gone() {
  local i
  k -n "$ns" rollout status deployment/rlimit-injector --timeout=180s >&2
  for i in $(seq 120); do
    (($(k -n "$ns" get pods -l app.kubernetes.io/name=rlimit-injector -o name | wc -l) == \
      $(k -n "$ns" get deployment rlimit-injector -o jsonpath='{.spec.replicas}'))) && return 0
    sleep 1
  done
  fail "the webhook's old replicas did not go within 120 s"
}

# --- install with helm ----------------------------------------------------------------------------------------
[[ $(curl -fsS "http://$registry/v2/charts/rlimit-injector/tags/list") == *"\"${KW_CHART[2]}\""* ]] ||
  fail "the chart's version ${KW_CHART[2]} is not in the registry's charts/rlimit-injector"
pass "the chart packaged and pushed by hack/release.sh: version ${KW_CHART[2]} in oci://$registry/charts"
kind_stage helm-install kw_helm_install rlimit-injector "$ns"
check_installed "helm install ${KW_CHART[*]}"
kind_stage helm-test kind_helm test rlimit-injector --namespace "$ns" --timeout 3m
k wait --for=delete namespace/rlimit-injector-test --timeout=60s >/dev/null 2>&1 ||
  fail "helm test left its namespace rlimit-injector-test behind"
pass "helm test: check passed on a pod in the namespace it opted in, and its hooks were deleted"

# --- the launcher by each delivery: the original experiment, growing programs, restricted non-root pods ----------
# delivery_checks DELIVERY NAMESPACE: in NAMESPACE (opted in) and NAMESPACE-restricted, with the webhook set to
# DELIVERY; the webhook's calls per pod measured over them.
delivery_checks() {
  local delivery=$1 on=$2 calls_before pods t
  kw_labelled_namespace "$on"
  kw_labelled_namespace "$on-restricted" pod-security.kubernetes.io/enforce=restricted
  kw_wait_webhook_in_effect "$on"
  calls_before=$(admissions)
  t=$SECONDS
  check_memory_error "$on" "$delivery"
  measure "python over its limit ($delivery): $((SECONDS - t))s"

  # Programs that grow a little at a time. The pod's cgroup is also charged kernel memory and the pause container,
  # so an rlimit equal to the limit came too late for a program whose memory is nearly all resident: the launcher's
  # headroom must make the program's own allocation fail first, at every limit; 900 MiB in 1 GiB must still run.
  t=$SECONDS
  local growing=(
    "c-1m-64mi   $KW_C_IMAGE      64Mi  /alloc 128 1024"
    "c-1m-128mi  $KW_C_IMAGE      128Mi /alloc 256 1024"
    "c-1m-1gi    $KW_C_IMAGE      1Gi   /alloc 2048 1024"
    "c-1m-4gi    $KW_C_IMAGE      4Gi   /alloc 8192 1024"
    "c-brk-256mi $KW_C_IMAGE      256Mi /alloc 512 1"
    "py-1m-256mi $KW_PYTHON_IMAGE 256Mi python3 /app/alloc.py 512 1024"
  ) shape name image memory argv words result
  for shape in "${growing[@]}" "c-900m-1gi $KW_C_IMAGE 1Gi /alloc 900 1024"; do
    read -r name image memory argv <<<"$shape"
    # shellcheck disable=SC2086 # split the command line into its words
    words=$(printf '"%s", ' $argv)
    kw_pod "$on" "$name" "$image" "$memory" "command: [${words%, }]"
  done
  for shape in "${growing[@]}"; do
    read -r name _ memory _ <<<"$shape"
    result=$(kw_ended "$on" "$name")
    [[ $result == "Failed 1 Error" ]] || fail "$on/$name: want its own allocation error 'Failed 1 Error', got '$result'"
    check_delivery "$on" "$name" "$delivery"
    logs_have "$on" "$name" "ERROR "
    pass "growing under $memory ($name, $delivery): the program's own allocation error, not OOMKilled"
  done
  check_completed "$on" c-900m-1gi
  logs_have "$on" c-900m-1gi "OK allocated 900 MiB"
  pass "900 MiB in a 1 GiB container runs to completion under the launcher ($delivery)"
  measure "growing checks (6 shapes and 900 MiB in 1 GiB, $delivery): $((SECONDS - t))s"

  # Non-root, read-only root filesystem, Pod Security restricted: the injection keeps the pod compliant.
  kw_pod "$on-restricted" alloc-c "$KW_C_IMAGE" 256Mi "command: [/alloc, \"1024\"]" \
    "securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true," \
    "  allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}"
  result=$(kw_ended "$on-restricted" alloc-c)
  check_delivery "$on-restricted" alloc-c "$delivery"
  [[ $result == "Failed 1 Error" ]] || fail "$on-restricted/alloc-c: want 'Failed 1 Error', got '$result'"
  logs_have "$on-restricted" alloc-c "rlimit-injector: limit"
  logs_have "$on-restricted" alloc-c "ERROR malloc-NULL"
  pass "restricted namespace, uid 1000, read-only root: admitted, the launcher ran ($delivery), malloc returned NULL"

  pods=$((1 + ${#growing[@]} + 1 + 1))
  measure "webhook calls per pod ($delivery): $(awk -v c="$(($(admissions) - calls_before))" -v p="$pods" \
    'BEGIN {printf "%.2f (%d calls, %d pods)", c / p, c, p}')"
  (($(admissions) - calls_before == pods)) || fail "$delivery: $(($(admissions) - calls_before)) webhook calls for $pods pods"
  pass "$delivery: one webhook call per pod"
}

k create namespace e2e-off >/dev/null
# The same pod without the webhook, started at the same time as the first opted-in one.
kw_python_alloc_pod e2e-off alloc
delivery_checks initContainer e2e-on
result=$(kw_ended e2e-off alloc)
! kw_mutated e2e-off alloc || fail "e2e-off/alloc was mutated in an unlabelled namespace"
[[ $result == "Failed 137 OOMKilled" ]] || fail "e2e-off/alloc: want 'Failed 137 OOMKilled', got '$result'"
pass "e2e-off: the same pod without the webhook is OOMKilled, exit 137"

t=$SECONDS
# A JVM and Node.js in auto mode: the launcher runs them (its verbose line), the runtime fails the allocation.
kw_pod e2e-on jvm "$KW_JAVA_IMAGE" 1Gi "command: [java, -cp, /app, Alloc, \"4000\"]"
kw_pod e2e-on node "$KW_NODE_IMAGE" 1Gi "command: [node, /app/alloc.js, \"4000\"]"
result=$(kw_ended e2e-on jvm)
[[ $result == "Failed 1 Error" ]] || fail "e2e-on/jvm: want 'Failed 1 Error', got '$result'"
logs_have e2e-on jvm "rlimit-injector: limit"
logs_have e2e-on jvm OutOfMemoryError
pass "JVM in auto mode: started through the launcher, OutOfMemoryError, exit 1"
result=$(kw_ended e2e-on node)
[[ $result == "Failed 1 Error" ]] || fail "e2e-on/node: want 'Failed 1 Error' (not SIGKILL), got '$result'"
logs_have e2e-on node "rlimit-injector: limit"
logs_have e2e-on node "ERROR RangeError"
pass "Node.js in auto mode: started through the launcher, RangeError, exit 1, not SIGKILL"
measure "runtime checks (JVM, Node.js): $((SECONDS - t))s"

# --- a pod with no command, its image in a registry ------------------------------------------------------------
# The node's registry (kw_registry_up; plain HTTP: containerd is told so through certs.d, the webhook through its
# insecure-registries setting).
registry_up() {
  skopeo copy -q --dest-tls-verify=false "docker-daemon:$KW_PYTHON_IMAGE" "docker://$registry/e2e/python:$KW_TAG" >&2
  # The webhook reads this registry over plain HTTP (chart value registry.insecureRegistries).
  kw_helm_install rlimit-injector "$ns" --set "registry.insecureRegistries={http://$registry}"
  wait_old_replicas_gone
}
kind_stage registry-image registry_up
kw_pod e2e-on from-registry "$registry/e2e/python:$KW_TAG" 256Mi
check_completed e2e-on from-registry
check_status e2e-on from-registry '"entrypointSource":"registry"' "entrypoint not from the registry"
wrapped=$(k -n e2e-on get pod from-registry -o jsonpath='{.spec.containers[0].command} {.spec.containers[0].args}')
[[ $wrapped == *'"python3","/app/alloc.py"'*'["64"]' ]] || fail "from-registry: not wrapped with ENTRYPOINT and CMD: $wrapped"
logs_have e2e-on from-registry "rlimit-injector: limit"
logs_have e2e-on from-registry "OK allocated 64 MiB"
pass "no command: wrapped with the ENTRYPOINT and CMD read from the registry ($wrapped), and ran"

# --- the chart's registry.mirrors and registry.lookups ----------------------------------------------------------
# A registry named by a loopback address, reached only through its mirror, the node's registry: containerd through
# certs.d, the webhook through registry.mirrors. Were the mirror to fail, the webhook refuses the loopback origin
# before a socket opens, and containerd's fallback stays on the node: no name is resolved, nothing leaves.
registry_values() {
  local origin=127.0.0.2:5000
  docker exec -i "$KIND_CLUSTER-control-plane" sh -c \
    "mkdir -p /etc/containerd/certs.d/$origin && cat >/etc/containerd/certs.d/$origin/hosts.toml" <<EOF
server = "http://$origin"
[host."http://$registry"]
  capabilities = ["pull", "resolve"]
EOF
  kw_helm_install rlimit-injector "$ns" --set "registry.insecureRegistries={http://$registry}" \
    --set-json "registry.mirrors={\"$origin\":\"$registry\"}"
  wait_old_replicas_gone
  kw_pod e2e-on from-mirror "$origin/e2e/python:$KW_TAG" 256Mi
  check_completed e2e-on from-mirror
  check_status e2e-on from-mirror '"entrypointSource":"registry"' "entrypoint not read through the mirror"
  logs_have e2e-on from-mirror "rlimit-injector: limit"
  pass "registry.mirrors: the entrypoint of $origin/e2e/python read through its mirror $registry; wrapped, ran"

  kw_helm_install rlimit-injector "$ns" --set "registry.insecureRegistries={http://$registry}" --set registry.lookups=false
  wait_old_replicas_gone
  kw_pod e2e-on no-lookups "$registry/e2e/python:$KW_TAG" 256Mi
  check_completed e2e-on no-lookups
  check_status e2e-on no-lookups '"reason":"entrypoint-unknown"' "want reason entrypoint-unknown"
  [[ -z $(k -n e2e-on get pod no-lookups -o jsonpath='{.spec.containers[0].command}') ]] ||
    fail "no-lookups: wrapped although registry.lookups=false"
  pass "registry.lookups=false: a pod without a command is left unwrapped with reason entrypoint-unknown, and runs"

  kw_helm_install rlimit-injector "$ns" --set "registry.insecureRegistries={http://$registry}"
  wait_old_replicas_gone
}
kind_stage registry-values registry_values

# --- the chart's registry.privateRegistries and registry.ca -----------------------------------------------------
# The node's registry again (the same storage), over TLS on port 5443, its certificate from a CA made here for this
# run. Its address is private (kind's network): unlisted, the webhook refuses it before a socket opens; listed in
# privateRegistries, it is reached over TLS verified against the JDK's CAs, which fails; with the CA from a ConfigMap
# (registry.ca), the entrypoint is read and the pod wrapped. containerd trusts the same CA through certs.d.
tls_registry=${registry%:*}:5443
registry_tls_up() {
  local node=$KIND_CLUSTER-control-plane dir
  dir=$(mktemp -d)
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rlimit-injector-e2e-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=registry -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s\n' "${registry%:*}" >"$dir/san.ext"
  openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/san.ext" -out "$dir/tls.crt" 2>/dev/null
  docker exec "$node" mkdir -p /etc/docker-registry/tls "/etc/containerd/certs.d/$tls_registry"
  docker cp "$dir/tls.crt" "$node:/etc/docker-registry/tls/tls.crt"
  docker cp "$dir/tls.key" "$node:/etc/docker-registry/tls/tls.key"
  docker cp "$dir/ca.crt" "$node:/etc/containerd/certs.d/$tls_registry/ca.crt"
  docker exec -i "$node" sh -c 'cat >/etc/docker-registry/tls.yml' <<YAML
version: 0.1
storage: {filesystem: {rootdirectory: /var/lib/docker-registry}}
http: {addr: ":5443", tls: {certificate: /etc/docker-registry/tls/tls.crt, key: /etc/docker-registry/tls/tls.key}}
YAML
  docker exec -i "$node" sh -c "cat >/etc/containerd/certs.d/$tls_registry/hosts.toml" <<TOML
server = "https://$tls_registry"
[host."https://$tls_registry"]
  capabilities = ["pull", "resolve"]
  ca = "/etc/containerd/certs.d/$tls_registry/ca.crt"
TOML
  docker exec -d "$node" sh -c 'exec docker-registry serve /etc/docker-registry/tls.yml >/var/log/docker-registry-tls.log 2>&1'
  k -n "$ns" create configmap e2e-registry-ca --from-file=ca.crt="$dir/ca.crt" >/dev/null
  for i in $(seq 30); do
    curl -fsS --cacert "$dir/ca.crt" "https://$tls_registry/v2/" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fsS --cacert "$dir/ca.crt" "https://$tls_registry/v2/" >/dev/null || fail "no TLS registry at $tls_registry"
  rm -rf "$dir"
}
# tls_pod NAME: a pod without command, its image in the TLS registry; prints what kubectl warned.
tls_pod() { kw_pod e2e-on "$1" "$tls_registry/e2e/python:$KW_TAG" 256Mi 2>&1; }
registry_tls_values() {
  local warned
  registry_tls_up
  warned=$(tls_pod tls-unlisted)
  [[ $warned == *"(registry-refused-address)"* ]] || fail "tls-unlisted: want registry-refused-address: $warned"
  check_completed e2e-on tls-unlisted
  pass "an unlisted registry at a private address ($tls_registry): refused, the pod admitted unwrapped, and ran"

  kw_helm_install rlimit-injector "$ns" --set "registry.insecureRegistries={http://$registry}" \
    --set "registry.privateRegistries={$tls_registry}"
  wait_old_replicas_gone
  warned=$(tls_pod tls-untrusted)
  [[ $warned == *"(registry-unreachable)"* ]] || fail "tls-untrusted: want registry-unreachable: $warned"
  pass "registry.privateRegistries: $tls_registry no longer refused as private; without its CA the lookup fails"

  kw_helm_install rlimit-injector "$ns" --set "registry.insecureRegistries={http://$registry}" \
    --set "registry.privateRegistries={$tls_registry}" --set registry.ca.configMap=e2e-registry-ca
  wait_old_replicas_gone
  tls_pod tls-trusted >/dev/null
  check_completed e2e-on tls-trusted
  check_status e2e-on tls-trusted '"entrypointSource":"registry"' "entrypoint not from the registry"
  logs_have e2e-on tls-trusted "rlimit-injector: limit"
  pass "registry.ca from a ConfigMap: the entrypoint read from $tls_registry over verified TLS; wrapped, ran"
}
kind_stage registry-tls-values registry_tls_values

# --- a memory limit at pod level only (pod-level resources, KEP-2837) -------------------------------------------
# python3 allocating 4000 MiB where the 1 GiB limit is in the pod's spec.resources alone: the webhook wraps it, the
# downward API's limits.memory gives the launcher the pod's limit (docs/pod-level-resources.md), so MemoryError, exit
# 1; the same pod unlabelled is SIGKILLed, 137.
podlevel_pod() {
  k -n "$1" create -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: pod-level}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  resources: {limits: {memory: 1Gi}}
  containers:
    - name: main
      image: $KW_PYTHON_IMAGE
      imagePullPolicy: IfNotPresent
      env: [{name: RLIMIT_INJECTOR_VERBOSE, value: "1"}]
      command: [python3, -c, "chunks = [b'x' * (1 << 20) for _ in range(4000)]"]
EOF
}
podlevel_pod e2e-on
podlevel_pod e2e-off
result=$(kw_ended e2e-on pod-level)
check_status e2e-on pod-level '"memoryLimit":"1Gi"*"limitSource":"downward API limits.memory: the pod-level limit' \
  "not wrapped with the pod-level limit"
[[ $result == "Failed 1 Error" ]] || fail "e2e-on/pod-level: want 'Failed 1 Error', got '$result'"
logs_have e2e-on pod-level MemoryError
logs_have e2e-on pod-level "rlimit-injector: limit 1073741824 from env RLIMIT_INJECTOR_MEMORY_LIMIT"
result=$(kw_ended e2e-off pod-level)
# SIGKILL either way; the reason depends on which cgroup, the container's or the pod's (both at 1 GiB), saw the OOM
# first: the kubelet says OOMKilled only for the container's own (seen both ways here).
[[ $result == "Failed 137 OOMKilled" || $result == "Failed 137 Error" ]] ||
  fail "e2e-off/pod-level: want 'Failed 137 OOMKilled' or 'Failed 137 Error', got '$result'"
pass "pod-level limit only: python3 ends in MemoryError, exit 1, the limit from the downward API; SIGKILLed (137) unlabelled ($result)"

# --- the launcher image unpullable, then pushed ------------------------------------------------------------------
# The launcher named by a tag the node's registry does not have yet; the webhook checks it every 5 s.
late_launcher=$registry/e2e/launcher:late
launcher_unpullable() {
  kw_helm_install rlimit-injector "$ns" --set launcherImage.repository="${late_launcher%:*}" \
    --set launcherImage.tag=late --set launcherImage.check.enabled=true --set launcherImage.check.periodSeconds=5 \
    --set "registry.insecureRegistries={http://$registry}"
  wait_old_replicas_gone
}
# The check's gauge on every serving replica, as "name value" lines.
launcher_pullable() {
  local p
  for p in $(serving_replicas); do
    echo "$p $(replica_metrics "$p" |
      awk '/^rlimit_injector_launcher_image_pullable/ {print $2}')"
  done
}
kind_stage launcher-unpullable launcher_unpullable
[[ -z $(launcher_pullable | awk '$2 != 0') ]] || fail "a replica says it can pull $late_launcher: $(launcher_pullable)"
logs=$(k -n "$ns" logs deploy/rlimit-injector)
[[ $logs == *"launcher image $late_launcher cannot be pulled: "*"not found on $registry"* ]] ||
  fail "the webhook's log does not say why $late_launcher cannot be pulled: $(grep -i launcher <<<"$logs")"
pass "launcher $late_launcher missing from the registry: every replica Ready, reports it unpullable, logs why"
warned=$(kw_pod e2e-on launcher-missing "$KW_C_IMAGE" 64Mi "command: [/alloc, \"0\"]" 2>&1)
[[ $warned == *"pod not changed (launcher-image-unavailable)"* ]] || fail "no launcher-image-unavailable warning: $warned"
check_completed e2e-on launcher-missing
check_status e2e-on launcher-missing '"reason":"launcher-image-unavailable"' "status without the reason"
[[ -z $(k -n e2e-on get pod launcher-missing -o jsonpath='{.spec.initContainers}') ]] ||
  fail "launcher-missing got an init container"
pass "an opted-in pod while the launcher cannot be pulled: admitted unchanged with the warning and reason, and ran"

t=$SECONDS
skopeo copy -q --all --dest-tls-verify=false oci-archive:target/launcher/image.tar "docker://$late_launcher" >&2
for i in $(seq 60); do
  [[ -z $(launcher_pullable | awk '$2 != 1') ]] && break
  sleep 1
done
[[ -z $(launcher_pullable | awk '$2 != 1') ]] || fail "replicas still cannot pull $late_launcher: $(launcher_pullable)"
measure "launcher pushed to seen by every replica: $((SECONDS - t))s"
kw_pod e2e-on launcher-pushed "$KW_C_IMAGE" 64Mi "command: [/alloc, \"0\"]"
check_completed e2e-on launcher-pushed
check_delivery e2e-on launcher-pushed initContainer
[[ $(k -n e2e-on get pod launcher-pushed -o jsonpath='{.spec.initContainers[0].image}') == "$late_launcher" ]] ||
  fail "launcher-pushed: the init container is not $late_launcher"
logs_have e2e-on launcher-pushed "rlimit-injector: limit"
pass "launcher pushed: pods get it again, pulled from the registry, without a restart of the webhook"

# --- the same with the launcher as an image volume --------------------------------------------------------------
kind_stage helm-upgrade-image-volume kw_helm_install rlimit-injector "$ns" --set injection.delivery=imageVolume
wait_old_replicas_gone
check_installed "helm upgrade to injection.delivery=imageVolume"
delivery_checks imageVolume e2e-iv

# --- the check command, as a user runs it with their kubeconfig --------------------------------------------------
# check_says EXIT CODE ARGS...: `check -o json ARGS` exits EXIT and reports the finding CODE (if not empty).
check_says() {
  local want=$1 code=$2 out rc=0
  shift 2
  out=$(KUBECONFIG=$KIND_KUBECONFIG java -jar target/rlimit-injector.jar check -o json --no-registry "$@" 2>&1) || rc=$?
  [[ $rc == "$want" ]] || fail "check $*: exit $rc, want $want: $out"
  [[ -z $code || $out == *"\"code\" : \"$code\""* ]] || fail "check $*: no finding $code: $out"
  pass "check $*: exit $rc${code:+, $code}"
}
check_pod() { # NAME MEMORY-LIMIT LABELS: a pod manifest in a file, its name printed
  cat >"$out/check-$1.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {$3}}
spec:
  containers:
    - {name: main, image: $KW_C_IMAGE, command: [/alloc, "0"]$([[ -n $2 ]] && echo ", resources: {limits: {memory: $2}}")}
EOF
  echo "$out/check-$1.yaml"
}
check_says 0 "" -n e2e-on -f "$(check_pod opted-in 64Mi "")"
check_says 1 namespace-not-selected -n e2e-off -f "$(check_pod opted-in 64Mi "")"
check_says 1 pod-label-disabled -n e2e-on -f "$(check_pod label-off 64Mi "rlimit-injector.io/inject: disabled")"
check_says 1 no-memory-limit -n e2e-on -f "$(check_pod no-limit "" "")"

# --- chart values for the webhook pod: extraArgs, extraEnv, the host network on other ports --------------------
# One replica: on the host network its ports are the node's, and this cluster has one node. extraArgs overrides the
# chart's --default-ratio (a flag's last value counts), which the mutated pod's status shows.
host_network_values() {
  local pod node_ip got i
  kw_helm_install rlimit-injector "$ns" --set replicaCount=1 --set hostNetwork=true \
    --set containerPorts.https=9443 --set containerPorts.metrics=9080 --set 'extraArgs={--default-ratio=0.5}' \
    --set extraEnv[0].name=RLIMIT_INJECTOR_REGISTRY_CACHE_SIZE --set-string extraEnv[0].value=50
  wait_old_replicas_gone
  read -r pod < <(serving_replicas)
  node_ip=$(k get node "$KIND_CLUSTER-control-plane" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
  got=$(k -n "$ns" get pod "$pod" -o jsonpath='{.spec.hostNetwork} {.spec.dnsPolicy} {.status.podIP}')
  [[ $got == "true ClusterFirstWithHostNet $node_ip" ]] || fail "hostNetwork: the pod has '$got'"
  got=$(webhook_proc "$pod" cmdline | tr '\0' ' ')
  [[ $got == *" --port=9443 --metrics-port=9080 "*" --default-ratio=0.5 " ]] || fail "hostNetwork: the webhook runs $got"
  got=$(webhook_proc "$pod" environ | tr '\0' '\n')
  grep -qx RLIMIT_INJECTOR_REGISTRY_CACHE_SIZE=50 <<<"$got" || fail "extraEnv: not in the webhook's environment"
  # The node's own network answers on the metrics port; the Service leads to the HTTPS one on the node's address.
  docker exec "$KIND_CLUSTER-control-plane" curl -fsS http://127.0.0.1:9080/readyz >/dev/null ||
    fail "hostNetwork: nothing answers on the node's port 9080"
  for i in $(seq 30); do # the old replicas' endpoints go a moment after the pods
    got=$(k -n "$ns" get endpointslices -l kubernetes.io/service-name=rlimit-injector \
      -o jsonpath='{.items[0].endpoints[*].addresses[0]} {.items[0].ports[?(@.name=="https")].port}')
    [[ $got == "$node_ip 9443" ]] && break
    sleep 1
  done
  [[ $got == "$node_ip 9443" ]] || fail "hostNetwork: the Service leads to '$got', not $node_ip 9443"
  [[ -z $(k -n "$ns" get poddisruptionbudget -o name) ]] || fail "replicaCount 1 still has a PodDisruptionBudget"
  kw_wait_webhook_in_effect e2e-on
  kw_pod e2e-on host-network "$KW_C_IMAGE" 64Mi "command: [/alloc, \"0\"]"
  check_completed e2e-on host-network
  check_status e2e-on host-network '"ratio":"0.5"' "not mutated with extraArgs' ratio"
  pass "hostNetwork on $node_ip:9443 (metrics 9080), extraArgs and extraEnv in the webhook, no PDB for one replica: pod mutated, ratio 0.5"
  # A second replica would need the same ports on the one node: the scheduler keeps it Pending.
  k -n "$ns" scale deployment/rlimit-injector --replicas=2 >/dev/null
  for i in $(seq 60); do
    got=$(k -n "$ns" get pods -l app.kubernetes.io/name=rlimit-injector \
      -o jsonpath='{.items[*].status.conditions[?(@.type=="PodScheduled")].message}')
    [[ $got == *"free ports"* ]] && break
    sleep 1
  done
  [[ $got == *"free ports"* ]] || fail "hostNetwork: a second replica on the one node was not held back: $got"
  pass "hostNetwork: a second replica on the same node stays Pending ($got)"
  kw_helm_install rlimit-injector "$ns"
  wait_old_replicas_gone
  check_installed "helm upgrade back to the default values"
  [[ $(k -n "$ns" get deployment rlimit-injector -o jsonpath='{.spec.template.spec.hostNetwork}') != true ]] ||
    fail "the defaults still run on the host network"
  [[ -n $(k -n "$ns" get poddisruptionbudget -o name) ]] || fail "two replicas without a PodDisruptionBudget"
  kw_wait_webhook_in_effect e2e-on
}
kind_stage host-network host_network_values

# --- the webhook down: pods still admitted, unmutated -----------------------------------------------------------
k -n "$ns" scale deployment/rlimit-injector --replicas=0 >/dev/null
for i in $(seq 120); do
  [[ -z $(k -n "$ns" get pods -l app.kubernetes.io/name=rlimit-injector -o name) ]] && break
  sleep 1
done
check_says 3 webhook-unready -n e2e-on -f "$(check_pod opted-in 64Mi "")"
kw_pod e2e-on while-down "$KW_C_IMAGE" 64Mi "command: [/alloc, \"0\"]"
! kw_mutated e2e-on while-down || fail "a pod admitted with no webhook running was mutated"
check_completed e2e-on while-down
pass "webhook scaled to zero: the pod was admitted unmutated (failurePolicy Ignore) and ran"
k -n "$ns" scale deployment/rlimit-injector --replicas=2 >/dev/null
check_installed "scaled back"
kw_wait_webhook_in_effect e2e-on

# --- a rolling restart under a stream of pod creations ---------------------------------------------------------
# Pods that are admitted but never scheduled (a node selector nothing matches): the test is admission.
stream() {
  local n=0 failed=0
  while [[ ! -f $out/stream.stop ]]; do
    n=$((n + 1))
    k -n e2e-on create -f - >/dev/null 2>>"$out/stream.err" <<EOF || failed=$((failed + 1))
apiVersion: v1
kind: Pod
metadata: {name: stream-$n, labels: {e2e: stream}}
spec:
  nodeSelector: {rlimit-injector.io/e2e: never}
  containers: [{name: main, image: $KW_C_IMAGE, command: [/alloc, "0"], resources: {limits: {memory: 64Mi}}}]
EOF
    sleep 0.2
  done
  echo "$n $failed"
}
rm -f "$out/stream.stop" "$out/stream.err"
stream >"$out/stream.result" &
stream_pid=$!
sleep 3
t=$SECONDS
k -n "$ns" rollout restart deployment/rlimit-injector >/dev/null
k -n "$ns" rollout status deployment/rlimit-injector --timeout=300s >&2
restart_s=$((SECONDS - t))
sleep 3
touch "$out/stream.stop"
wait "$stream_pid"
read -r created failed <"$out/stream.result"
# Wrapped: the command no longer starts with the program itself.
unmutated=$(k -n e2e-on get pods -l e2e=stream -o jsonpath='{range .items[*]}{.spec.containers[0].command[0]}{"\n"}{end}' |
  grep -cx /alloc || true)
measure "rolling restart: ${restart_s}s; $created pod creations, $failed failed, $unmutated admitted unmutated"
((failed == 0)) || fail "rolling restart: $failed of $created pod creations failed: $(head -5 "$out/stream.err")"
((unmutated == 0)) || fail "rolling restart: $unmutated of $created pods were admitted without the webhook"
pass "rolling restart under $created pod creations: none failed, all mutated"

# Failed probes, each a Warning Unhealthy event, by probe: a start should not fail its startup probe (it waits before
# its first try); a replica draining after SIGTERM fails its readiness probe on purpose.
measure "webhook probe failures (Warning Unhealthy events) over the installs and the restart: $(k -n "$ns" get events \
  --field-selector reason=Unhealthy -o jsonpath='{range .items[*]}{.count} {.message}{"\n"}{end}' |
  awk '{n[$2] += ($1 ~ /^[0-9]+$/ ? $1 : 1)} END {for (p in n) printf "%s %d; ", p, n[p]; print ""}')"

# --- the webhook's memory after all that ----------------------------------------------------------------------
# With the JVM's own split, to set beside the local benchmark's (hack/bench-webhooks.sh, PERFORMANCE.md).
for p in $(serving_replicas); do
  # The JVM starts without its class data archive when it cannot use it (-Xshare:auto), only slower and larger.
  # (Read whole: grep -q would close the pipe early, and pipefail would count that as a failure.)
  [[ $(webhook_proc "$p" maps) == */app/cds/webhook.jsa* ]] || fail "the webhook of $p did not map its class data archive"
  rss=$(webhook_proc "$p" status | awk '/^VmRSS/ {print $2 / 1024 " MiB"}')
  [[ -n $rss ]] || fail "no RSS for the webhook of $p"
  measure "webhook RSS after the run, $p: $rss ($(replica_metrics "$p" | awk '
    /^jvm_memory_committed_bytes\{area="heap"/ {heap = $2} /^jvm_memory_pool_used_bytes\{pool="Metaspace"/ {meta = $2}
    /^jvm_classes_currently_loaded / {classes = $2} /^jvm_threads_current / {threads = $2}
    END {printf "heap committed %.1f MiB, metaspace %.1f MiB, %d classes, %d threads", heap / 2^20, meta / 2^20, classes, threads}'))"
done
pass "the webhook replicas run with their image's class data archive mapped"

# --- Helm 3: the chart installs and uninstalls with it too, as a release of its own beside Helm 4's ------------
helm3_release=rlimit-injector-helm3
helm3_install() { KW_HELM=helm3 kw_helm_install "$helm3_release" "$helm3_release"; }
kind_stage helm3-install helm3_install
check_installed "helm3 install ($("$KIND_TOOLS/helm3" version --short))" "$helm3_release" "$helm3_release"
KW_HELM=helm3 kind_helm uninstall "$helm3_release" --namespace "$helm3_release" --wait >&2
! k get mutatingwebhookconfiguration "$helm3_release" >/dev/null 2>&1 || fail "helm3 uninstall left its webhook behind"
k delete namespace "$helm3_release" --wait=true >/dev/null
pass "helm3 uninstall leaves no webhook configuration of its release"

# --- uninstall, then the plain manifests -----------------------------------------------------------------------
kind_stage helm-uninstall kind_helm uninstall rlimit-injector --namespace "$ns" --wait >&2
check_uninstalled "helm uninstall"
k -n "$ns" delete secret rlimit-injector-tls >/dev/null
k delete namespace "$ns" e2e-on --wait=true >/dev/null

# deploy/ as kubectl apply -k users take it: an overlay with the image references of this run and, as for nodes with
# the launcher preloaded (kind load), a patch turning its check off (the test op fails the patch if the chart moved it).
overlay=$(mktemp -d)
check_arg=$(awk '/^          args:/ {a = 1; next}
  a && /^            - / {if ($2 == "--launcher-image-check=true") {print n; exit}; n++}' deploy/rlimit-injector.yaml)
cat >"$overlay/kustomization.yaml" <<EOF
resources: [$(realpath --relative-to="$overlay" deploy)]
images:
  - {name: ghcr.io/rlimit-injector/rlimit-injector, newName: ${KW_WEBHOOK_IMAGE%:*}, newTag: $KW_TAG}
  - {name: ghcr.io/rlimit-injector/launcher, newName: ${KW_LAUNCHER_IMAGE%:*}, newTag: $KW_TAG}
patches:
  - target: {kind: Deployment, name: rlimit-injector}
    patch: |
      - {op: test, path: /spec/template/spec/containers/0/args/$check_arg, value: --launcher-image-check=true}
      - {op: replace, path: /spec/template/spec/containers/0/args/$check_arg, value: --launcher-image-check=false}
EOF
deployed=$(k kustomize "$overlay") || fail "kubectl kustomize of the overlay of deploy/ failed"
[[ $(grep -c -e "image: $KW_WEBHOOK_IMAGE" -e "value: $KW_LAUNCHER_IMAGE" -e "--launcher-image-check=false" \
  <<<"$deployed") == 3 && $deployed != *ghcr.io/* ]] || fail "the overlay of deploy/ left an image or the check as it was"
kind_stage kubectl-apply k apply -k "$overlay" >&2
check_installed "kubectl apply -k (deploy/ with images: and a patch)"
kw_labelled_namespace e2e-deploy
kw_wait_webhook_in_effect e2e-deploy
check_memory_error e2e-deploy initContainer
k delete -k "$overlay" --wait=true >/dev/null
check_uninstalled "kubectl delete -k (deploy/)"
rm -r "$overlay"

measure "kind-e2e total: $((SECONDS - start_total))s"
kind_log "PASS: every end-to-end check"
echo "e2e: $passed passed, 0 failed"
