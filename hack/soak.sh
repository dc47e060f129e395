#!/usr/bin/env bash
# Soak: the webhook, run as the chart runs it (hack/lib/webhook.sh), under a paced, mixed load of every golden pod shape, sampling RSS and
# open file descriptors. Fails on any error, RSS growth over 10% after warm-up, or descriptor growth.
#   bash hack/soak.sh                 (MINUTES=10 RATE=300 CONNECTIONS=8 WARMUP_S=60)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
source hack/lib/control-plane.sh
MINUTES=${MINUTES:-10}
export RATE=${RATE:-300}
export CONNECTIONS=${CONNECTIONS:-8}
WARMUP_S=${WARMUP_S:-60}
need_wrk
[[ -f target/rlimit-injector.jar ]] || mvn -B -q package -DskipTests >&2

work=$(mktemp -d)
cleanup() { stop_webhook; cp_stop; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# One AdmissionReview per golden input shape.
python3 - "$work" src/test/resources/golden/*.yaml <<'PY'
import json, sys, yaml
out = sys.argv[1]
with open(f"{out}/bodies.txt", "w") as listing:
    for i, path in enumerate(p for p in sys.argv[2:] if not p.endswith(".injected.yaml")):
        pod = yaml.safe_load(open(path))
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                  "request": {"uid": f"soak-{i}", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                              "resource": {"group": "", "version": "v1", "resource": "pods"},
                              "namespace": "soak", "operation": "CREATE", "object": pod}}
        body = f"{out}/review-{i}.json"
        json.dump(review, open(body, "w"))
        listing.write(body + "\n")
PY

webhook_test_certificate "$work"
port=18470
start_api_server "$work"
api_server_client $port "$work"
start_webhook $port "$work"
pid=$WEBHOOK_PID

BODIES=$work/bodies.txt wrk -t2 -c"$CONNECTIONS" -d"${MINUTES}m" --timeout 5s \
  -s hack/bench/post.lua "https://127.0.0.1:$port/mutate" >"$work/wrk.out" &
load=$!
echo "| t (s) | RSS (MiB) | open fds | threads |"
echo "|---|---|---|---|"
start=$(date +%s)
samples=()
while kill -0 "$load" 2>/dev/null; do
  t=$(( $(date +%s) - start ))
  rss=$(rss_mib "$pid")
  fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  echo "| $t | $rss | $fds | $(threads_of "$pid") |"
  samples+=("$t $rss $fds")
  sleep 30
done
wait "$load"
grep '^RESULT' "$work/wrk.out"
python3 - "$WARMUP_S" "$(grep '^RESULT' "$work/wrk.out")" "${samples[@]}" <<'PY'
import sys
warmup = int(sys.argv[1])
result = dict(kv.split("=") for kv in sys.argv[2].split()[1:])
samples = [tuple(map(int, s.split())) for s in sys.argv[3:]]
after = [s for s in samples if s[0] >= warmup] or samples[-1:]
rss_growth = (after[-1][1] - after[0][1]) / after[0][1]
fd_growth = after[-1][2] - after[0][2]
errors = int(result["errors"]) + int(result["non2xx"])
print(f"soak: {result['requests']} requests, {errors} errors, p99 {result['p99_ms']} ms; "
      f"RSS {after[0][1]} -> {after[-1][1]} MiB after warm-up ({rss_growth:+.1%}), open fds {after[0][2]} -> {after[-1][2]}")
ok = errors == 0 and rss_growth <= 0.10 and fd_growth <= 2
print("soak: " + ("within bounds" if ok else "OUT OF BOUNDS"))
sys.exit(0 if ok else 1)
PY
