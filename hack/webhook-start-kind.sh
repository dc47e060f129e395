#!/usr/bin/env bash
# How long a webhook replica takes to start in kind: deletes one replica at a time and times its successor from
# its container's start (containerd's clock) to its /readyz answering 200, polled every 50 ms from inside the node;
# then waits for it to be Ready before the next round. Needs a running cluster with the chart installed
# (KEEP_CLUSTER=1 bash hack/kind-demo.sh). The chart's startup probe waits initialDelaySeconds before its first try,
# so these times say how much of that wait a start needs.
#   bash hack/webhook-start-kind.sh [ROUNDS]   (default 5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
# shellcheck source=lib/kind-webhook.sh
source hack/lib/kind-webhook.sh
rounds=${1:-5}
KIND_K8S_BIN=$(bash hack/k8s-test-binaries.sh)
node=$KIND_CLUSTER-control-plane
replicas() {
  k -n "$KW_NAMESPACE" get pods -l app.kubernetes.io/name=rlimit-injector \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}
for ((round = 1; round <= rounds; round++)); do
  before=$(replicas)
  k -n "$KW_NAMESPACE" delete pod "$(head -1 <<<"$before")" --wait=false >/dev/null
  pod='' ip=''
  for ((i = 0; i < 600; i++)); do
    pod=$(replicas | grep -vxF "$before" | head -1 || true)
    [[ -z $pod ]] || ip=$(k -n "$KW_NAMESPACE" get pod "$pod" -o jsonpath='{.status.podIP}')
    [[ -z $ip ]] || break
    sleep 0.1
  done
  [[ -n $ip ]] || kind_die "no new replica with an address 60 s after deleting one"
  ready=$(docker exec "$node" sh -c "until curl -sf -o /dev/null http://$ip:8080/readyz; do sleep 0.05; done; date +%s.%N")
  id=$(k -n "$KW_NAMESPACE" get pod "$pod" -o jsonpath='{.status.containerStatuses[?(@.name=="webhook")].containerID}')
  started=$(docker exec "$node" crictl inspect --output go-template --template '{{.status.startedAt}}' "${id#containerd://}")
  echo "round $round, $pod: container start to ready $(python3 -c '
import datetime, sys
started = datetime.datetime.fromisoformat(sys.argv[1][:26].rstrip("Z") + "+00:00")
print(f"{float(sys.argv[2]) - started.timestamp():.2f} s")' "$started" "$ready")"
  k -n "$KW_NAMESPACE" wait --for=condition=Ready "pod/$pod" --timeout=180s >/dev/null
done
