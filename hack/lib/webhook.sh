# shellcheck shell=bash
# Sourced by the hack/ scripts that run the webhook jar as the Helm chart runs it,
# with the chart's JVM flags, inside a memory cgroup of the chart's limit when this machine allows (root and
# cgroup v1 or v2), so -XX:MaxRAMPercentage sizes the heap as it does in a pod.

# wrk, the load generator of the benchmarks, installed from Debian when missing.
need_wrk() {
  command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
}

# The chart's default jvmOptions, read from values.yaml so the two never drift; JVM_OPTIONS=... to try others.
chart_jvm_flags() {
  if [[ -n ${JVM_OPTIONS:-} ]]; then
    echo "$JVM_OPTIONS"
  else
    sed -n '/^jvmOptions:/,/^$/p' charts/rlimit-injector/values.yaml | tail -n +2 | tr -s ' \n' ' '
  fi
}

# The chart's default memory limit in bytes (Mi only, as the chart writes it); MEMORY_LIMIT_MI=... to try another.
chart_memory_limit_bytes() {
  local mi=${MEMORY_LIMIT_MI:-}
  [[ -n $mi ]] || mi=$(sed -n '/^resources:/,/^[a-z]/p' charts/rlimit-injector/values.yaml | sed -n '/limits:/,$p' \
    | sed -nE 's/^ *memory: *([0-9]+)Mi/\1/p' | head -1)
  echo $(( mi * 1024 * 1024 ))
}

# A self-signed serving certificate for 127.0.0.1 in DIR/tls.crt and DIR/tls.key.
webhook_test_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$1/tls.key" -out "$1/tls.crt" 2>/dev/null
}

# Runs "$@" in a fresh memory cgroup limited to LIMIT bytes when possible, else plainly; prints nothing.
# Usage: run_limited NAME LIMIT cmd...   (sets CGROUP_DIR, empty when not limited)
run_limited() {
  local name=$1 limit=$2; shift 2
  CGROUP_DIR=
  if [[ $(id -u) -eq 0 && -w /sys/fs/cgroup/memory ]]; then
    CGROUP_DIR=/sys/fs/cgroup/memory/$name-$$
    mkdir -p "$CGROUP_DIR" && echo "$limit" >"$CGROUP_DIR/memory.limit_in_bytes"
  elif [[ $(id -u) -eq 0 && -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    CGROUP_DIR=/sys/fs/cgroup/$name-$$
    mkdir -p "$CGROUP_DIR" && echo "$limit" >"$CGROUP_DIR/memory.max"
  fi
  if [[ -n $CGROUP_DIR ]]; then
    bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROUP_DIR" "$@" &
  else
    "$@" &
  fi
}

# Removes the cgroup run_limited made, once its processes are gone.
remove_limited() {
  if [[ -n ${CGROUP_DIR:-} ]]; then
    rmdir "$CGROUP_DIR" 2>/dev/null || true
  fi
}

# The plain-HTTP port of a webhook's metrics and probes, 1000 above its HTTPS PORT, clear of the ports next to it
# that the scripts give other servers.
metrics_port() { echo $(($1 + 1000)); }

# The chart's webhook holds an API server client, since its default certificate mode keeps the webhook
# configuration's caBundle: about 900 classes, 17-19 MiB of RSS and some start-up (PERFORMANCE.md), so the scripts
# that measure memory or start-up give theirs one too. api_server_client PORT DIR, with a control plane up
# (start_api_server DIR, or cp_start): registers the chart's MutatingWebhookConfiguration for
# https://127.0.0.1:PORT/mutate with DIR/tls.crt as its CA, and sets the environment and WEBHOOK_CLIENT_FLAGS, which
# start_webhook passes on. The bundle comes from that file, not a self-signed Secret, whose certificate would name a
# Service where the API server here calls 127.0.0.1. The webhook connects as a pod does, without a kubeconfig:
# fabric8 reading one first loads about 660 model classes that a pod never loads.
WEBHOOK_CLIENT_FLAGS=()
api_server_client() {
  local port=$1 dir=$2
  python3 - "$port" "$(base64 -w0 <"$dir/tls.crt")" <<'PY' | cp_kubectl apply -f - >/dev/null
import sys, yaml
for doc in yaml.safe_load_all(open("deploy/rlimit-injector.yaml")):
    if doc and doc["kind"] == "MutatingWebhookConfiguration":
        for webhook in doc["webhooks"]:
            webhook["clientConfig"] = {"url": f"https://127.0.0.1:{sys.argv[1]}/mutate", "caBundle": sys.argv[2]}
        print(yaml.safe_dump(doc))
PY
  export KUBERNETES_AUTH_TRYKUBECONFIG=false KUBERNETES_MASTER=$CP_API_URL KUBERNETES_CERTS_CA_FILE=$CP_CA_CRT \
    KUBERNETES_CERTS_CLIENT_FILE=$CP_DIR/pki/admin.crt KUBERNETES_CERTS_CLIENT_KEY_FILE=$CP_DIR/pki/admin.key
  WEBHOOK_CLIENT_FLAGS=(--ca-bundle-file "$dir/tls.crt" --webhook-configuration rlimit-injector --namespace default)
}

# etcd and kube-apiserver on loopback in DIR/control-plane, for api_server_client; stopped by cp_stop. This and
# api_server_client need hack/lib/control-plane.sh sourced too.
start_api_server() {
  # shellcheck disable=SC2034 # control-plane.sh's
  CP_BIN=$(bash hack/k8s-test-binaries.sh)
  CP_DIR=$1/control-plane
  mkdir -p "$CP_DIR"
  cp_start --no-controller-manager
}

# Starts the webhook on PORT, its metrics and probes on $(metrics_port PORT), with the certificate in DIR and any
# further serve flags; sets WEBHOOK_PID and READY_MS (for the caller). It runs the jar $WEBHOOK_JAR (default
# target/rlimit-injector.jar) on this machine's JDK or, with WEBHOOK_IMAGE=IMAGE, that image in Docker as the chart's
# pod runs it: its own runtime, class path and class data archive, the chart's flags in JAVA_TOOL_OPTIONS, on the
# host's network (loopback only: it binds 127.0.0.1 and calls the local API server). No launcher image check: no
# node pulls anything here, and the default launcher reference names a registry on the internet, which these scripts
# must never contact. For the same reason no registry lookups either (even resolving docker.io sends a DNS query off
# this machine), unless REGISTRY_LOOKUPS=1: a script that sets it names only registries on loopback and sends only
# pods of theirs. Stop it with stop_webhook.
start_webhook() {
  local port=$1 dir=$2
  shift 2
  local flags=(serve --host 127.0.0.1 --port "$port" --metrics-port "$(metrics_port "$port")" --launcher-image-check=false
    --tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key" "${WEBHOOK_CLIENT_FLAGS[@]}" "$@")
  ((${REGISTRY_LOOKUPS:-0})) || flags+=(--no-registry)
  local t0; t0=$(date +%s%N)
  if [[ -n ${WEBHOOK_IMAGE:-} ]]; then
    WEBHOOK_CONTAINER=rlimit-injector-webhook-$$-$((++WEBHOOK_STARTS))
    docker run -d --rm --name "$WEBHOOK_CONTAINER" --network host --memory "$(chart_memory_limit_bytes)" \
      --user "$(id -u):$(id -g)" -v "$dir:$dir:ro" ${CP_DIR:+-v "$CP_DIR:$CP_DIR:ro"} \
      -e "JAVA_TOOL_OPTIONS=$(chart_jvm_flags)" -e KUBERNETES_AUTH_TRYKUBECONFIG -e KUBERNETES_MASTER \
      -e KUBERNETES_CERTS_CA_FILE -e KUBERNETES_CERTS_CLIENT_FILE -e KUBERNETES_CERTS_CLIENT_KEY_FILE \
      "$WEBHOOK_IMAGE" "${flags[@]}" >/dev/null
    docker logs -f "$WEBHOOK_CONTAINER" >"$dir/webhook.log" 2>&1 &
    WEBHOOK_PID=$(docker inspect -f '{{.State.Pid}}' "$WEBHOOK_CONTAINER")
  else
    # shellcheck disable=SC2046
    run_limited rlimit-injector-webhook "$(chart_memory_limit_bytes)" java $(chart_jvm_flags) \
      -jar "${WEBHOOK_JAR:-target/rlimit-injector.jar}" "${flags[@]}" >"$dir/webhook.log" 2>&1
    WEBHOOK_PID=$!
  fi
  wait_ready "http://127.0.0.1:$(metrics_port "$port")/readyz" "$WEBHOOK_PID" "$dir/webhook.log"
  # shellcheck disable=SC2034
  READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}
WEBHOOK_STARTS=0
WEBHOOK_CONTAINER=

# Stops the webhook start_webhook started (SIGTERM), and waits until it has exited.
stop_webhook() {
  [[ -n ${WEBHOOK_PID:-} ]] || return 0
  if [[ -n $WEBHOOK_CONTAINER ]]; then
    docker stop -t 60 "$WEBHOOK_CONTAINER" >/dev/null 2>&1 || true
  else
    kill "$WEBHOOK_PID" 2>/dev/null || true
    wait "$WEBHOOK_PID" 2>/dev/null || true
    remove_limited
  fi
  WEBHOOK_PID='' WEBHOOK_CONTAINER=''
}

# Waits for URL (http:// or https://, unverified) to answer 200 while PID lives: wait_ready URL PID LOG. One Python
# process polls every 5 ms: a curl process per poll cost about a third of a core, taken from the start-up it was
# timing.
wait_ready() {
  python3 - "$1" "$2" <<'PY' || { cat "$3" >&2; return 1; }
import http.client, os, ssl, sys, time, urllib.parse
url, pid = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2])
context = ssl._create_unverified_context()
while True:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    connection = (http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=5)
                  if url.scheme == "https" else http.client.HTTPConnection(url.hostname, url.port, timeout=5))
    try:
        connection.request("GET", url.path)
        if connection.getresponse().status == 200:
            sys.exit(0)
    except OSError:
        pass
    finally:
        connection.close()
    time.sleep(0.005)
PY
}

# A markdown row: LABEL, the start-up times given (ms) sorted, and their median.
startup_row() {
  local label=$1 sorted median
  shift
  sorted=$(printf '%s\n' "$@" | sort -n | tr '\n' ' ')
  median=$(awk '{print (NF % 2) ? $((NF + 1) / 2) : ($(NF / 2) + $(NF / 2 + 1)) / 2}' <<<"$sorted")
  echo "| $label | $sorted| $median ms |"
}

rss_mib() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status"; }
threads_of() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
