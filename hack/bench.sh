#!/usr/bin/env bash
# Benchmark of the webhook against its floor, in one run, printing a table.
# The floor is the same JVM/Javalin/Jetty/TLS stack answering with a fixed AdmissionReview of the same size.
#   bash hack/bench.sh            (DURATION=20 RATE=500 CONNECTIONS=8 THREADS=2 to change the load)
# Load: wrk over HTTPS with keep-alive, POSTing a 4-container AdmissionReview (hack/bench/review.json).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-20}
RATE=${RATE:-500}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
# The JVM flags of the Helm chart's default values.
JVM_FLAGS=${JVM_FLAGS:-"-Xms32m -Xmx128m -Xss512k -XX:+UseSerialGC -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -XX:+ExitOnOutOfMemoryError"}

command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
command -v openssl >/dev/null || { echo "bench.sh: openssl is required" >&2; exit 1; }
if [[ ! -f target/rlimit-injector.jar || ! -d target/test-classes/io/rlimitinjector/bench ]]; then
  mvn -B -q package -DskipTests >&2
fi
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null

# Starts a server, waits for /readyz, sets STARTED_PID and READY_MS.
start() {
  local port=$1; shift
  local t0; t0=$(date +%s%N)
  "$@" >"$work/server-$port.log" 2>&1 &
  STARTED_PID=$!
  pids+=("$STARTED_PID")
  until curl -fsk "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    kill -0 "$STARTED_PID" 2>/dev/null || { cat "$work/server-$port.log" >&2; exit 1; }
    sleep 0.01
  done
  READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

load() { # port rate -> RESULT line
  RATE=$2 CONNECTIONS=$CONNECTIONS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s \
    -s hack/bench/post.lua "https://127.0.0.1:$1/mutate" | grep '^RESULT'
}
field() { sed -E "s/.* $2=([^ ]+).*/\1/" <<<"$1"; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

measure() { # name port cmd... -> sets NAME_* vars via a line
  local name=$1 port=$2; shift 2
  start "$port" "$@"
  local ready=$READY_MS pid=$STARTED_PID
  load "$port" 0 >/dev/null   # warm-up at full speed
  local max; max=$(load "$port" 0)
  local paced; paced=$(load "$port" "$RATE")
  echo "$name $ready $(field "$max" requests) $(field "$max" duration_s) $(field "$max" errors) $(field "$max" non2xx)" \
    "$(field "$paced" p50_ms) $(field "$paced" p99_ms) $(field "$paced" p999_ms) $(field "$paced" errors) $(rss_mib "$pid")"
  kill "$pid"
}

cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
# shellcheck disable=SC2086
floor=$(measure floor 18443 java $JVM_FLAGS -cp "$cp" io.rlimitinjector.bench.FloorServer 18443 "$work/tls.crt" "$work/tls.key" hack/bench/review.json)
# shellcheck disable=SC2086
hook=$(measure webhook 18444 java $JVM_FLAGS -jar target/rlimit-injector.jar serve --host 127.0.0.1 --port 18444 \
  --tls-cert "$work/tls.crt" --tls-key "$work/tls.key")

python3 - "$floor" "$hook" "$DURATION" "$RATE" "$CONNECTIONS" <<'PY'
import sys
def parse(line):
    n, ready, req, dur, err, non2xx, p50, p99, p999, perr, rss = line.split()
    return dict(ready=int(ready), rps=int(req) / float(dur), errors=int(err) + int(non2xx) + int(perr),
                p50=float(p50), p99=float(p99), p999=float(p999), rss=int(rss))
floor, hook = parse(sys.argv[1]), parse(sys.argv[2])
duration, rate, conns = sys.argv[3], sys.argv[4], sys.argv[5]
print(f"wrk, {conns} keep-alive HTTPS connections, {duration} s per run; latency at a paced {rate} req/s\n")
print("| metric | floor | webhook | webhook / floor |")
print("|---|---|---|---|")
rows = [("max throughput (req/s)", "rps", "{:.0f}"), ("p50 at %s req/s (ms)" % rate, "p50", "{:.2f}"),
        ("p99 at %s req/s (ms)" % rate, "p99", "{:.2f}"), ("p99.9 at %s req/s (ms)" % rate, "p999", "{:.2f}"),
        ("RSS after load (MiB)", "rss", "{:d}"), ("start to /readyz 200 (ms)", "ready", "{:d}"),
        ("errors", "errors", "{:d}")]
for label, key, fmt in rows:
    ratio = f"{hook[key] / floor[key]:.2f}" if floor[key] else "-"
    print(f"| {label} | {fmt.format(floor[key])} | {fmt.format(hook[key])} | {ratio} |")
PY
