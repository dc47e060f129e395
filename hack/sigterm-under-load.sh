#!/usr/bin/env bash
# SIGTERM during load: 8 clients POST reviews over keep-alive connections to the jar (run as the chart runs it);
# after 3 s the server gets SIGTERM. Every request must end answered (200, or 503 once stopping) or refused at
# connect; a request sent and then cut off without an answer is the failure this looks for.
#   bash hack/sigterm-under-load.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source hack/lib/webhook.sh
[[ -f target/rlimit-injector.jar ]] || mvn -B -q package -DskipTests >&2

work=$(mktemp -d)
cleanup() { stop_webhook; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
webhook_test_certificate "$work"
port=18480
start_webhook $port "$work"

python3 - "$port" "$WEBHOOK_PID" <<'PY'
import http.client, os, signal, ssl, sys, threading, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
body = open("hack/bench/review.json", "rb").read()
context = ssl._create_unverified_context()
outcomes, lock, stop = {}, threading.Lock(), threading.Event()

def count(kind):
    with lock:
        outcomes[kind] = outcomes.get(kind, 0) + 1

def client():
    connection = None
    while not stop.is_set():
        sent = False
        try:
            if connection is None:
                connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=15)
                connection.connect()
            connection.request("POST", "/mutate", body, {"Content-Type": "application/json"})
            sent = True
            response = connection.getresponse()
            response.read()
            count(f"answered {response.status}")
            if response.status != 200 or response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except ConnectionRefusedError:
            count("refused at connect")
            time.sleep(0.05)
            connection = None
        except (OSError, http.client.HTTPException) as e:
            count("cut off after sending" if sent else f"closed before sending ({type(e).__name__})")
            connection = None

threads = [threading.Thread(target=client) for _ in range(8)]
for t in threads:
    t.start()
time.sleep(3)
os.kill(pid, signal.SIGTERM)
signal_at = time.time()
while True:
    try:
        os.kill(pid, 0)
        time.sleep(0.05)
    except ProcessLookupError:
        break
stopped_after = time.time() - signal_at
time.sleep(1)
stop.set()
for t in threads:
    t.join()
print(f"sigterm: server exited {stopped_after:.2f} s after SIGTERM; outcomes: {dict(sorted(outcomes.items()))}")
ok = outcomes.get("cut off after sending", 0) == 0
print("sigterm: " + ("no request cut off" if ok else "REQUESTS CUT OFF"))
sys.exit(0 if ok else 1)
PY
