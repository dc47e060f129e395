#!/usr/bin/env bash
# Pod start-up by launcher delivery (issue 17), in one kind cluster: no launcher, the launcher copied by an init
# container, the launcher mounted as an image volume. The chart is installed twice with its default values but the
# delivery (releases ri-init and ri-volume, each in its own namespace), each release excluding the other's test
# namespace, so both deliveries serve at once; each round starts one pod of each kind, in an order that rotates, one
# pod at a time. The same python3 pod every time (sleeping; Ready once its container runs). For each pod:
#   - create to Ready on this script's clock (kubectl create starts to kubectl wait returning: both commands' own
#     start is in every number alike), and from the pod's own timestamps (creation to the Ready condition, 1 s steps);
#   - sandbox created to main container started, from containerd's timestamps (crictl on the node);
#   - webhook calls per pod, from the webhook's own log (one JSON line per admission, naming the namespace and pod;
#     hack/kind-e2e.sh counts them with the admission counter instead, over its checks).
# Prints every pod, then medians and ranges, and the image volume's added start-up over no launcher (the issue's
# bar: 0.3 s at most). The kubelet sees a container start at its next relist (every second), so create to Ready
# moves in steps of about a second; the runtime's timestamps do not. Uses the cluster KIND_CLUSTER of
# hack/kind-cluster.sh (reused when running, else created), deleted at the end unless KEEP_CLUSTER=1; builds and loads
# the images. Results also in target/startup-deliveries/ (pods.txt, summary.txt, webhook.log).
#   bash hack/startup-deliveries.sh [ROUNDS]      (ROUNDS defaults to 5; KIND_CLUSTER to rlimit-injector-startup)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export KIND_CLUSTER="${KIND_CLUSTER:-rlimit-injector-startup}"
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
# shellcheck source=lib/kind-webhook.sh
source hack/lib/kind-webhook.sh
KIND_LOG_TAG=startup-deliveries
rounds=${1:-5}
out=target/startup-deliveries
mkdir -p "$out"

[[ -n ${KEEP_CLUSTER:-} ]] || trap 'bash hack/kind-cluster.sh down >/dev/null 2>&1 || true' EXIT

bash hack/kind-cluster.sh up
KIND_K8S_BIN=$(bash hack/k8s-test-binaries.sh)
kw_images
node=$KIND_CLUSTER-control-plane

# delivery -> the namespace of its test pods; "none" is an unlabelled namespace.
declare -A test_ns=([none]=sd-none [initContainer]=sd-init [imageVolume]=sd-volume)
declare -A release=([initContainer]=ri-init [imageVolume]=ri-volume)
deliveries=(none initContainer imageVolume)

# The chart for one delivery, blind to the other delivery's test namespace.
install() {
  local delivery=$1 other=$2
  kw_helm_install "${release[$delivery]}" "${release[$delivery]}" \
    --set injection.delivery="$delivery" --set "webhook.excludedNamespaces={${test_ns[$other]}}"
}
k delete namespace "${test_ns[@]}" --ignore-not-found --wait=true >/dev/null
k create namespace sd-none >/dev/null
kw_labelled_namespace sd-init
kw_labelled_namespace sd-volume
kind_stage helm-install-initContainer install initContainer imageVolume
kind_stage helm-install-imageVolume install imageVolume initContainer
kw_wait_webhook_in_effect sd-init
kw_wait_webhook_in_effect sd-volume

ms() { date -d "$1" +%s%3N; }

# One pod: prints "DELIVERY NAME CREATE_TO_READY_MS CREATE_TO_READY_S_FROM_TIMESTAMPS SANDBOX_TO_MAIN_MS".
one_pod() {
  local delivery=$1 name=$2 ns=${test_ns[$1]} t0 t1 delivered sandbox container created ready sandbox_at main_at
  t0=$(date +%s%3N)
  kw_pod "$ns" "$name" "$KW_PYTHON_IMAGE" 256Mi "command: [python3, -c, \"import time; time.sleep(600)\"]"
  k -n "$ns" wait --for=condition=Ready "pod/$name" --timeout=120s >/dev/null
  t1=$(date +%s%3N)
  # The delivery really is the one measured.
  delivered=$(k -n "$ns" get pod "$name" -o jsonpath='{.spec.initContainers[*].name}/{.spec.volumes[*].image.reference}')
  case $delivery/$delivered in
    none// | initContainer/?*/ | imageVolume//?*) ;;
    *) kind_die "$ns/$name is not a $delivery pod: init containers/image volumes: $delivered" ;;
  esac
  created=$(k -n "$ns" get pod "$name" -o jsonpath='{.metadata.creationTimestamp}')
  ready=$(k -n "$ns" get pod "$name" -o jsonpath='{.status.conditions[?(@.type=="Ready")].lastTransitionTime}')
  sandbox=$(docker exec "$node" crictl pods --namespace "$ns" --name "^$name\$" -q | head -1)
  container=$(docker exec "$node" crictl ps -a --pod "$sandbox" --name '^main$' -q | head -1)
  sandbox_at=$(docker exec "$node" crictl inspectp -o go-template --template '{{.status.createdAt}}' "$sandbox")
  main_at=$(docker exec "$node" crictl inspect -o go-template --template '{{.status.startedAt}}' "$container")
  echo "$delivery $name $((t1 - t0)) $(($(ms "$ready") / 1000 - $(ms "$created") / 1000)) $(($(ms "$main_at") - $(ms "$sandbox_at")))"
  k -n "$ns" delete pod "$name" --wait=true >/dev/null
}

: >"$out/pods.txt"
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for ((r = 0; r < rounds; r++)); do
  for ((i = 0; i < 3; i++)); do
    d=${deliveries[(r + i) % 3]}
    one_pod "$d" "start-$r" | tee -a "$out/pods.txt"
  done
done

# The measured pods' admissions, from the logs of every replica of both releases since the rounds began (an earlier
# run's pods had the same names); none for the unlabelled namespace.
for d in initContainer imageVolume; do
  k -n "${release[$d]}" logs -l app.kubernetes.io/name=rlimit-injector --tail=-1 --since-time="$since"
done >"$out/webhook.log"
declare -A calls
for d in "${deliveries[@]}"; do
  calls[$d]=$({ grep -c "\"msg\":\"admission\".*\"namespace\":\"${test_ns[$d]}\",\"pod\":\"start-[0-9]*\"" \
    "$out/webhook.log" || true; } | awk -v n="$rounds" '{printf "%.1f", $1 / n}')
done
{
  echo "pod start-up by delivery, $rounds rounds, Kubernetes $K8S_VERSION, containerd $CONTAINERD_VERSION:"
  awk -v calls="none=${calls[none]} initContainer=${calls[initContainer]} imageVolume=${calls[imageVolume]}" '
    # Sorts a[1..n] in place; returns its median.
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { n[$1]++; r[$1, n[$1]] = $3; s[$1, n[$1]] = $4; m[$1, n[$1]] = $5 }
    END {
      split(calls, kv, " ")
      for (i in kv) { split(kv[i], p, "="); c[p[1]] = p[2] }
      print "  delivery       create->Ready ms  (range)      from timestamps s  sandbox->main ms  (range)      webhook calls/pod"
      split("none initContainer imageVolume", ds, " ")
      for (i = 1; i <= 3; i++) {
        d = ds[i]
        for (j = 1; j <= n[d]; j++) { a[j] = r[d, j]; b[j] = s[d, j]; e[j] = m[d, j] }
        mr[d] = median(a, n[d]); ms = median(b, n[d]); mm[d] = median(e, n[d])
        printf "  %-13s  %6d  (%5d-%5d)  %6d  (%d-%d)        %6d  (%5d-%5d)  %s\n", d, mr[d], a[1], a[n[d]], ms, b[1],
          b[n[d]], mm[d], e[1], e[n[d]], c[d]
      }
      printf "image volume minus no launcher (medians): create->Ready %+d ms, sandbox->main %+d ms; the bar is +300 ms: %s\n",
        mr["imageVolume"] - mr["none"], mm["imageVolume"] - mm["none"], mr["imageVolume"] - mr["none"] <= 300 ? "within" : "OVER"
    }' "$out/pods.txt"
} | tee "$out/summary.txt"
