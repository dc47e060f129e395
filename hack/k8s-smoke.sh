#!/usr/bin/env bash
# Smoke test of the local Kubernetes control plane used by the integration tests:
# etcd + kube-apiserver + kube-controller-manager on loopback, no nodes.
#
#   hack/k8s-smoke.sh            # uses hack/k8s-test-binaries.sh to find/build binaries
#   K8S_BIN_DIR=/path hack/k8s-smoke.sh
#   KEEP_TMP=1 hack/k8s-smoke.sh # keep the temp dir (certs, logs) for inspection
#
# It proves that: the apiserver starts against our etcd and gets ready, kubectl
# talks to it, and the controller-manager turns a Deployment into a ReplicaSet
# and a Pod (which stays Pending: there is no node and no scheduler).
# Prints "PASS: ..." or "FAIL: ..." as the last line; exits non-zero on failure.
#
# The flags below are the reference for the Java test fixture: each
# non-obvious one says why it is there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TIMEOUT="${SMOKE_TIMEOUT:-90}" # seconds, for each wait

log() { printf '[k8s-smoke] %s\n' "$*" >&2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/k8s-smoke.XXXXXX")"
pids=()
result=""

cleanup() {
  local rc=$? i pid
  # Stop in reverse start order, each fully before the next: the apiserver
  # must not lose etcd while it shuts down (that only produces log noise).
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[i]}"
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -z $result ]]; then
    result="FAIL: k8s-smoke aborted (exit $rc)"
  fi
  if [[ $result == FAIL* ]]; then
    local f
    for f in etcd kube-apiserver kube-controller-manager; do
      [[ -f $tmp/$f.log ]] || continue
      log "---- last lines of $f.log ----"
      tail -n 25 "$tmp/$f.log" >&2
    done
    ((rc != 0)) || rc=1
  fi
  if [[ -n ${KEEP_TMP:-} ]]; then
    log "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  echo "$result"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  result="FAIL: $*"
  exit 1
}

# A free TCP port on 127.0.0.1, below the kernel's ephemeral range: a port in
# that range can be taken at any moment by an outgoing connection (even the
# apiserver's own connections to etcd), and then bind fails. Checked against
# all sockets; a small race with other processes is accepted.
used_ports=" "
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
((ephemeral_low > 11000)) || ephemeral_low=32768
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((10000 + RANDOM % (ephemeral_low - 10000)))
    [[ $used_ports == *" $p "* ]] && continue
    if command -v ss >/dev/null; then
      [[ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]] || continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      continue
    fi
    used_ports+="$p "
    echo "$p"
    return 0
  done
  return 1
}

# wait_for DESCRIPTION PID COMMAND...: retry COMMAND until it succeeds, the
# process PID dies, or TIMEOUT passes.
wait_for() {
  local what=$1 pid=$2 deadline=$((SECONDS + TIMEOUT))
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "$what: process exited"
    ((SECONDS < deadline)) || fail "$what: timed out after ${TIMEOUT}s"
    sleep 0.5
  done
}

if [[ -n ${K8S_BIN_DIR:-} ]]; then
  BIN="$K8S_BIN_DIR"
else
  BIN="$("$here/k8s-test-binaries.sh")" || fail "hack/k8s-test-binaries.sh failed"
fi
for b in etcd kube-apiserver kube-controller-manager kubectl; do
  [[ -x $BIN/$b ]] || fail "missing $BIN/$b"
done
command -v openssl >/dev/null || fail "openssl is required"
command -v curl >/dev/null || fail "curl is required"
log "binaries: $BIN; temp dir: $tmp"

ETCD_PORT="$(free_port)"
ETCD_PEER_PORT="$(free_port)"
API_PORT="$(free_port)"
KCM_PORT="$(free_port)"
SERVICE_CIDR=10.0.0.0/24 # first IP 10.0.0.1 is the "kubernetes" Service

# ---------------------------------------------------------------- certificates
pki="$tmp/pki"
mkdir -p "$pki"
{
  # One CA signs both the apiserver serving cert and the client certs.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=smoke-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt"
  # Serving cert: SANs must cover how clients dial it (127.0.0.1/localhost)
  # and the in-cluster Service IP / names, like a real cluster.
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr"
  printf '%s\n' \
    "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" \
    "extendedKeyUsage=serverAuth" >"$pki/apiserver.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 2 -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt"
  # Admin client cert: O=system:masters is bound to cluster-admin by RBAC's
  # bootstrap policy, so no RoleBinding is needed. CN is the user name.
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=smoke-admin" \
    -keyout "$pki/admin.key" -out "$pki/admin.csr"
  printf 'extendedKeyUsage=clientAuth\n' >"$pki/client.ext"
  openssl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 2 -extfile "$pki/client.ext" -out "$pki/admin.crt"
  # Service-account token signing key (private key signs, public verifies).
  openssl genrsa -out "$pki/sa.key" 2048
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
} >"$tmp/openssl.log" 2>&1 || fail "openssl failed: $(tail -n 3 "$tmp/openssl.log")"

kubeconfig="$tmp/admin.kubeconfig"
cat >"$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: smoke
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: smoke
  context: {cluster: smoke, user: admin}
current-context: smoke
EOF
kc() { "$BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }

# ------------------------------------------------------------------------ etcd
log "starting etcd on 127.0.0.1:$ETCD_PORT ($("$BIN/etcd" --version 2>/dev/null | head -n 1))"
etcd_args=(
  --name smoke
  --data-dir "$tmp/etcd"
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT"
  --advertise-client-urls "http://127.0.0.1:$ETCD_PORT"
  # The peer URL must be set too: the default (:2380) may clash with another etcd.
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT"
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT"
  --initial-cluster "smoke=http://127.0.0.1:$ETCD_PEER_PORT"
  # Test data is throw-away: skip fsync (much faster on slow disks).
  --unsafe-no-fsync
)
"$BIN/etcd" "${etcd_args[@]}" >"$tmp/etcd.log" 2>&1 &
etcd_pid=$!
pids+=("$etcd_pid")
wait_for "etcd health" "$etcd_pid" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

# -------------------------------------------------------------- kube-apiserver
log "starting kube-apiserver on https://127.0.0.1:$API_PORT"
apiserver_args=(
  --etcd-servers "http://127.0.0.1:$ETCD_PORT"
  --bind-address 127.0.0.1
  --secure-port "$API_PORT"
  # Address published for the "kubernetes" Service; without it the apiserver
  # picks the host's default-route interface, and fails if there is none.
  --advertise-address 127.0.0.1
  # ...but a loopback address is not a valid Endpoints IP: do not maintain the
  # "kubernetes" Endpoints (nothing in-cluster dials it: there are no nodes),
  # else it logs "may not be in the loopback range" errors every 10s.
  --endpoint-reconciler-type none
  --tls-cert-file "$pki/apiserver.crt"
  --tls-private-key-file "$pki/apiserver.key"
  # Enables client-certificate authentication (admin and controller-manager).
  --client-ca-file "$pki/ca.crt"
  --authorization-mode RBAC
  # Required since 1.20: service-account tokens (issuer + signing/verify keys).
  --service-account-issuer https://kubernetes.default.svc.cluster.local
  --service-account-signing-key-file "$pki/sa.key"
  --service-account-key-file "$pki/sa.pub"
  # Required: ClusterIPs for Services (also the "kubernetes" Service).
  --service-cluster-ip-range "$SERVICE_CIDR"
  # Unused while --tls-cert-file is set; keeps any generated cert out of the
  # default /var/run/kubernetes (not writable for non-root users).
  --cert-dir "$tmp/apiserver-certs"
)
"$BIN/kube-apiserver" "${apiserver_args[@]}" >"$tmp/kube-apiserver.log" 2>&1 &
api_pid=$!
pids+=("$api_pid")
readyz() {
  curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$API_PORT/readyz"
}
start=$SECONDS
wait_for "kube-apiserver /readyz" "$api_pid" readyz
log "kube-apiserver ready after $((SECONDS - start))s"

# ----------------------------------------------------- kube-controller-manager
log "starting kube-controller-manager"
kcm_args=(
  # Uses the admin (system:masters) identity for all controllers: simplest; a
  # real cluster uses CN=system:kube-controller-manager plus
  # --use-service-account-credentials.
  --kubeconfig "$kubeconfig"
  # No --authentication-/--authorization-kubeconfig: its own HTTPS endpoint
  # then serves only /healthz, /readyz, /livez (all we poll) to anonymous
  # callers. With them it also wants the apiserver's requestheader CA, which
  # this apiserver does not have (no aggregation), and logs errors.
  # serviceaccount creates each namespace's "default" ServiceAccount, which the
  # ServiceAccount admission plugin requires before a Pod can be created;
  # deployment -> ReplicaSet -> Pod; serviceaccount-token fills legacy token
  # secrets (needs the private key below).
  --controllers "serviceaccount,serviceaccount-token,deployment,replicaset"
  --service-account-private-key-file "$pki/sa.key"
  --root-ca-file "$pki/ca.crt"
  # One instance: no leader-election lease round trip before controllers start.
  --leader-elect=false
  # Its own HTTPS endpoint (/healthz): loopback, free port instead of 10257
  # (which another controller-manager may hold); self-signed cert in temp.
  --bind-address 127.0.0.1
  --secure-port "$KCM_PORT"
  --cert-dir "$tmp/kcm-certs"
)
"$BIN/kube-controller-manager" "${kcm_args[@]}" >"$tmp/kube-controller-manager.log" 2>&1 &
kcm_pid=$!
pids+=("$kcm_pid")
wait_for "kube-controller-manager /healthz" "$kcm_pid" \
  curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"

# ------------------------------------------------------------------ the checks
kc version >"$tmp/version.txt" 2>&1 || fail "kubectl version: $(cat "$tmp/version.txt")"
sed 's/^/  /' "$tmp/version.txt" >&2
server_version="$(kc version -o json 2>/dev/null | sed -n '/"serverVersion"/,/}/s/.*"gitVersion": "\([^"]*\)".*/\1/p')"
[[ $server_version == v* ]] || fail "cannot read server gitVersion"

ns=smoke
kc create namespace "$ns" >&2 || fail "create namespace"
kc -n "$ns" create deployment smoke --image=registry.invalid/x:1 --replicas=1 >&2 ||
  fail "create deployment"

# The ReplicaSet controller creates the Pod once the "default" ServiceAccount
# exists; it stays Pending (no node, no scheduler).
pod_exists() { [[ -n "$(kc -n "$ns" get pods -l app=smoke -o name 2>/dev/null)" ]]; }
wait_for "Pod created by the ReplicaSet controller" "$kcm_pid" pod_exists
kc -n "$ns" get deployment,replicaset,pods -o wide >&2

result="PASS: k8s-smoke: apiserver $server_version on etcd $("$BIN/etcd" --version | sed -n 's/^etcd Version: //p'), Deployment -> ReplicaSet -> Pod"
