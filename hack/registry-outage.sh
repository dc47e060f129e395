#!/usr/bin/env bash
# Registry outage under load (PERFORMANCE.md, "Registry outage under load"): the webhook, run as the chart runs it
# (hack/lib/webhook.sh), under a mixed load of pods over HTTPS keep-alive, one wrk per class of pod:
#   command      every container sets its command: no lookup
#   cached       no command; the image is on a healthy local registry (Debian's docker-registry) and cached
#   unreachable  no command; a new tag on every request, on a registry whose port is closed
#   stalled      no command; a new tag on every request, on a registry that accepts TCP and never answers
# First a baseline with the healthy classes only, then all four at once. Per class: latency, 503s and errors, and
# the share of answers carrying the skip warning. Fails when a pod is refused or waits past the budget + MARGIN_MS.
#   bash hack/registry-outage.sh      (DURATION=20 COMMAND_RATE=150 CACHED_RATE=50 UNREACHABLE_RATE=10
#                                      STALLED_CONNECTIONS=24 MARGIN_MS=1000 WEBHOOK_JAR=target/rlimit-injector.jar)
# A stalled pod holds its wrk connection for the budget (3 s), so STALLED_CONNECTIONS / 3 is its rate.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
DURATION=${DURATION:-20}
COMMAND_RATE=${COMMAND_RATE:-150}
CACHED_RATE=${CACHED_RATE:-50}
UNREACHABLE_RATE=${UNREACHABLE_RATE:-10}
STALLED_CONNECTIONS=${STALLED_CONNECTIONS:-24}
MARGIN_MS=${MARGIN_MS:-1000}
BUDGET_MS=3000
WARNING='not wrapped: entrypoint of image'
[[ -x /usr/bin/docker-registry ]] || { echo "registry-outage.sh: apt-get install docker-registry" >&2; exit 1; }
need_wrk
[[ -f ${WEBHOOK_JAR:-target/rlimit-injector.jar} ]] || mvn -B -q package -DskipTests >&2

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  remove_limited
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The healthy registry, with one image whose config names an entrypoint.
registry=127.0.0.1:$(free_port)
cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: $registry}
EOF
/usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
until curl -fs "http://$registry/v2/" >/dev/null; do sleep 0.1; done
python3 - "$registry" <<'PY'
import hashlib, json, sys, urllib.request
base = f"http://{sys.argv[1]}/v2/outage/app"
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["/app"], "Cmd": ["serve"]},
                     "rootfs": {"type": "layers", "diff_ids": []}}).encode()
digest = "sha256:" + hashlib.sha256(config).hexdigest()
upload = urllib.request.urlopen(urllib.request.Request(f"{base}/blobs/uploads/", data=b"", method="POST"))
location = upload.headers["Location"]
location = location if location.startswith("http") else f"http://{sys.argv[1]}{location}"
urllib.request.urlopen(urllib.request.Request(f"{location}{'&' if '?' in location else '?'}digest={digest}",
                                              data=config, method="PUT",
                                              headers={"Content-Type": "application/octet-stream"}))
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest,
                                  "size": len(config)}, "layers": []}).encode()
urllib.request.urlopen(urllib.request.Request(f"{base}/manifests/1", data=manifest, method="PUT",
                                              headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
PY

# A registry that accepts connections and never answers, and a port where nothing listens.
stalled=127.0.0.1:$(free_port)
python3 - "${stalled#*:}" <<'PY' &
import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(1024)
held = []
while True:
    held.append(server.accept()[0])
PY
pids+=($!)
unreachable=127.0.0.1:$(free_port)

# Bodies: per class, enough distinct tags that no image repeats within a run.
python3 - "$work" "$registry" "$unreachable" "$stalled" "$(( DURATION * 20 ))" <<'PY'
import json, os, sys
work, registry, unreachable, stalled = sys.argv[1:5]
count = int(sys.argv[5])
def review(uid, containers):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": uid, "namespace": "outage"},
           "spec": {"containers": containers}}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "resource": {"group": "", "version": "v1", "resource": "pods"},
                        "namespace": "outage", "operation": "CREATE", "object": pod}}
def container(name, image, command=None):
    c = {"name": name, "image": image, "resources": {"limits": {"memory": "256Mi"}}}
    if command:
        c["command"] = command
    return c
classes = {
    "command": lambda i: [container("app", "python:3.12", ["python", "app.py"]),
                          container("proxy", "envoy:1", ["envoy", "-c", "/etc/envoy.yaml"])],
    "cached": lambda i: [container("app", f"{registry}/outage/app:1")],
    "unreachable": lambda i: [container("app", f"{unreachable}/outage/app:u{os.getpid()}-{i}")],
    "stalled": lambda i: [container("app", f"{stalled}/outage/app:s{os.getpid()}-{i}")],
}
for name, containers in classes.items():
    n = count if name in ("unreachable", "stalled") else 1
    with open(f"{work}/{name}.txt", "w") as listing:
        for i in range(n):
            path = f"{work}/{name}-{i}.json"
            json.dump(review(f"{name}-{i}", containers(i)), open(path, "w"))
            listing.write(path + "\n")
PY

webhook_test_certificate "$work"
port=18490
REGISTRY_LOOKUPS=1 start_webhook $port "$work" --insecure-registries "http://$registry,http://$unreachable,http://$stalled"
pids+=("$WEBHOOK_PID")

load() { # class connections rate -> "class RESULT..." when done
  local out
  out=$(BODIES=$work/$1.txt RATE=$3 CONNECTIONS=$2 MATCH=$WARNING wrk -t1 -c"$2" -d"${DURATION}s" --timeout 10s \
    -s hack/bench/post.lua "https://127.0.0.1:$port/mutate" | grep '^RESULT')
  echo "$1 $out"
}
# Warm-up: the JIT, and the cached image into the cache.
DURATION=10 load command 4 "$COMMAND_RATE" >/dev/null
DURATION=5 load cached 2 "$CACHED_RATE" >/dev/null

together() { # run: the classes' loads at once, into $work/run.txt
  local run=$1 loads=()
  shift
  for class in "$@"; do
    case $class in
      command) load command 4 "$COMMAND_RATE" ;;
      cached) load cached 2 "$CACHED_RATE" ;;
      unreachable) load unreachable 2 "$UNREACHABLE_RATE" ;;
      stalled) load stalled "$STALLED_CONNECTIONS" 0 ;;
    esac >>"$work/$run.txt" &
    loads+=($!)
  done
  wait "${loads[@]}"
}
together baseline command cached
together outage command cached unreachable stalled
rss=$(rss_mib "$WEBHOOK_PID")

python3 - "$work" "$BUDGET_MS" "$MARGIN_MS" "$DURATION" "$rss" <<'PY'
import sys
work, budget, margin, duration, rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
def results(run):
    rows = {}
    for line in open(f"{work}/{run}.txt"):
        name, _, *fields = line.split()
        rows[name] = {k: float(v) for k, v in (f.split("=") for f in fields)}
    return rows
print(f"{duration} s per run, one wrk per class, HTTPS keep-alive; budget {budget} ms, allowed margin {margin} ms; "
      f"webhook RSS after the runs {rss} MiB\n")
print("| run | class | requests | req/s | p50 ms | p99 ms | max ms | 503 / errors | with skip warning |")
print("|---|---|---|---|---|---|---|---|---|")
ok = True
for run in ("baseline", "outage"):
    for name, r in sorted(results(run).items(), key=lambda kv: ["command", "cached", "unreachable", "stalled"].index(kv[0])):
        refused = int(r["non2xx"] + r["errors"])
        answered = r["requests"] - refused
        warned = r["matched"] / answered if answered else 0
        print(f"| {run} | {name} | {int(r['requests'])} | {r['requests'] / r['duration_s']:.0f} | {r['p50_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {r['max_ms']:.0f} | {int(r['non2xx'])} / {int(r['errors'])} | {warned:.0%} |")
        ok &= refused == 0 and r["max_ms"] <= budget + margin
        ok &= warned == (1 if name in ("unreachable", "stalled") else 0)
print("\nregistry-outage: " + ("every pod admitted within the budget + margin" if ok else "OUT OF BOUNDS"))
sys.exit(0 if ok else 1)
PY
