#!/usr/bin/env bash
# Bad input at volume: starts the webhook as the chart runs it (hack/lib/webhook.sh), checks the TLS versions it offers,
# sends N hostile bodies (hack/hostile.py), then slow-loris uploads, and checks the server is alive,
# answering, and its memory bounded.
#   bash hack/hostile.sh [N]      (default 100000; CI runs a shorter pass; CLIENTS=4 sends from 4 clients at once)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
source hack/lib/control-plane.sh
N=${1:-100000}
CLIENTS=${CLIENTS:-1}
[[ -f target/rlimit-injector.jar ]] || mvn -B -q package -DskipTests >&2

work=$(mktemp -d)
cleanup() { stop_webhook; cp_stop; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
webhook_test_certificate "$work"
port=18460
start_api_server "$work"
api_server_client $port "$work"
start_webhook $port "$work"
pid=$WEBHOOK_PID
echo "hostile: server up, RSS $(rss_mib "$pid") MiB, $(threads_of "$pid") threads"

# Only TLS 1.2 and 1.3 are offered.
for version in tls1_2 tls1_3; do
  openssl s_client -connect "127.0.0.1:$port" "-$version" </dev/null >/dev/null 2>&1 \
    || { echo "hostile: $version refused, but it must be served" >&2; exit 1; }
done
for version in tls1 tls1_1; do
  if openssl s_client -connect "127.0.0.1:$port" "-$version" -cipher DEFAULT@SECLEVEL=0 </dev/null >/dev/null 2>&1; then
    echo "hostile: $version accepted, but only TLS 1.2 and 1.3 may be" >&2; exit 1
  fi
done
echo "hostile: openssl s_client: TLS 1.2 and 1.3 served, TLS 1.0 and 1.1 refused"

# CLIENTS senders at once (seeds 1..CLIENTS), N bodies each; 4 keep every parsing slot busy with hostile bodies.
clients=()
for seed in $(seq "$CLIENTS"); do
  python3 hack/hostile.py "https://127.0.0.1:$port" "$N" "$seed" &
  clients+=($!)
done
for client in "${clients[@]}"; do wait "$client"; done

# Slow-loris: 20 clients send headers and then one byte a second; the server must drop them and keep serving.
python3 - "$port" "$(metrics_port $port)" <<'PY'
import socket, ssl, sys, time, urllib.request
port, metrics_port = int(sys.argv[1]), int(sys.argv[2])
context = ssl._create_unverified_context()
sockets = []
for _ in range(20):
    s = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    sockets.append(s)
start = time.time()
dropped = set()
while time.time() - start < 40 and len(dropped) < len(sockets):
    for i, s in enumerate(sockets):
        if i in dropped:
            continue
        try:
            s.sendall(b"{")
        except OSError:
            dropped.add(i)
    urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/healthz", timeout=5).read()
    time.sleep(1)
print(f"hostile: slow-loris {len(dropped)}/{len(sockets)} trickling clients dropped after {time.time() - start:.0f} s; "
      "the server answered /healthz every second meanwhile")
sys.exit(0 if len(dropped) == len(sockets) else 1)
PY

curl -fsS "http://127.0.0.1:$(metrics_port $port)/healthz" >/dev/null \
  || { echo "hostile: server stopped answering" >&2; exit 1; }
kill -0 "$pid" || { echo "hostile: server died" >&2; exit 1; }
echo "hostile: server alive, RSS $(rss_mib "$pid") MiB after the run (peak $(awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$pid/status") MiB), $(threads_of "$pid") threads"
