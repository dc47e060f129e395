#!/usr/bin/env bash
# Benchmark of the webhook against its floor, in one run, printing a table.
# The floor is the same JVM, Jetty and TLS connector (admission.HttpsConnector) with one core handler answering a
# fixed AdmissionReview of the same size (bench/FloorServer).
# Both run as the Helm chart runs the webhook (its JVM flags, in a memory cgroup of its limit, see hack/lib/webhook.sh).
#   bash hack/bench.sh            (DURATION=20 WARMUP=20 RATE=500 CONNECTIONS=8 THREADS=2 to change the load;
#                                  C2 needs WARMUP=60 or more to finish compiling)
# Load: wrk over HTTPS with keep-alive, POSTing a 4-container AdmissionReview (hack/bench/review.json).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-$DURATION}
RATE=${RATE:-500}
export CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}

need_wrk
if [[ ! -f target/rlimit-injector.jar || ! -d target/test-classes/io/rlimitinjector/bench ]]; then
  mvn -B -q package -DskipTests >&2
fi
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rmdir /sys/fs/cgroup/memory/rlimit-injector-*-$$ /sys/fs/cgroup/rlimit-injector-*-$$ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
webhook_test_certificate "$work"

load() { # port rate [seconds] -> RESULT line
  RATE=$2 BODY=hack/bench/review.json wrk -t"$THREADS" -c"$CONNECTIONS" -d"${3:-$DURATION}s" \
    --timeout 5s -s hack/bench/post.lua "https://127.0.0.1:$1/mutate" | grep '^RESULT'
}
field() { sed -E "s/.* $2=([^ ]+).*/\1/" <<<"$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # user + system, in clock ticks

measure() { # name port pid ready_ms -> one line of numbers
  local name=$1 port=$2 pid=$3 ready=$4
  load "$port" 0 "$WARMUP" >/dev/null   # warm-up at full speed
  local cpu0; cpu0=$(cpu_ticks "$pid")
  local max; max=$(load "$port" 0)
  local cpu=$(( $(cpu_ticks "$pid") - cpu0 ))
  local paced; paced=$(load "$port" "$RATE")
  echo "$name $ready $(field "$max" requests) $(field "$max" duration_s) $(field "$max" errors) $(field "$max" non2xx)" \
    "$(field "$paced" p50_ms) $(field "$paced" p99_ms) $(field "$paced" p999_ms) $(field "$paced" errors) $(rss_mib "$pid")" \
    "$cpu"
  kill "$pid"
}

cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
t0=$(date +%s%N)
# shellcheck disable=SC2046
run_limited rlimit-injector-floor "$(chart_memory_limit_bytes)" java $(chart_jvm_flags) -cp "$cp" \
  io.rlimitinjector.bench.FloorServer 18443 "$work/tls.crt" "$work/tls.key" hack/bench/review.json >"$work/floor.log" 2>&1
floor_pid=$!
pids+=("$floor_pid")
wait_ready https://127.0.0.1:18443/readyz "$floor_pid" "$work/floor.log"
floor=$(measure floor 18443 "$floor_pid" $(( ($(date +%s%N) - t0) / 1000000 )))
wait "$floor_pid" 2>/dev/null || true   # its exit must not overlap the webhook's start

start_webhook 18444 "$work"
pids+=("$WEBHOOK_PID")
hook=$(measure webhook 18444 "$WEBHOOK_PID" "$READY_MS")

python3 - "$floor" "$hook" "$DURATION" "$RATE" "$CONNECTIONS" "$(chart_jvm_flags)" "$WARMUP" "$(getconf CLK_TCK)" <<'PY'
import sys
def parse(line):
    n, ready, req, dur, err, non2xx, p50, p99, p999, perr, rss, cpu = line.split()
    return dict(ready=int(ready), rps=int(req) / float(dur), errors=int(err) + int(non2xx) + int(perr),
                p50=float(p50), p99=float(p99), p999=float(p999), rss=int(rss),
                cpu=int(cpu) / int(sys.argv[8]) * 1e6 / int(req))
floor, hook = parse(sys.argv[1]), parse(sys.argv[2])
duration, rate, conns, flags, warmup = sys.argv[3:8]
print(f"wrk, {conns} keep-alive HTTPS connections, {warmup} s warm-up, then {duration} s per run;"
      f" latency at a paced {rate} req/s;")
print(f"JVM flags: {flags.strip()}\n")
print("| metric | floor | webhook | webhook / floor |")
print("|---|---|---|---|")
rows = [("max throughput (req/s)", "rps", "{:.0f}"),
        ("server CPU per request at max throughput (us)", "cpu", "{:.0f}"),
        ("p50 at %s req/s (ms)" % rate, "p50", "{:.2f}"),
        ("p99 at %s req/s (ms)" % rate, "p99", "{:.2f}"), ("p99.9 at %s req/s (ms)" % rate, "p999", "{:.2f}"),
        ("RSS after load (MiB)", "rss", "{:d}"), ("start to /readyz 200 (ms)", "ready", "{:d}"),
        ("errors", "errors", "{:d}")]
for label, key, fmt in rows:
    ratio = f"{hook[key] / floor[key]:.2f}" if floor[key] else "-"
    print(f"| {label} | {fmt.format(floor[key])} | {fmt.format(hook[key])} | {ratio} |")
PY
