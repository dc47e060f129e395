# shellcheck shell=bash
# A local Kubernetes control plane on loopback: etcd, kube-apiserver and (optionally)
# kube-controller-manager, no nodes. Sourced by hack/k8s-smoke.sh, hack/k8s-control-plane.sh
# (which the Java tests run) and hack/demo.sh, so the flags live in this one place; each
# non-obvious flag says why it is there.
#
# Before calling cp_start, set:
#   CP_BIN      dir with etcd, kube-apiserver, kube-controller-manager, kubectl
#   CP_DIR      an empty, writable dir: certificates, data, logs, the kubeconfig
# optional:
#   CP_TIMEOUT  seconds for each wait (default 90)
#   CP_LOG_TAG  prefix of progress lines on stderr (default control-plane)
#   CP_ADMISSION_CONFIG  an AdmissionConfiguration file for kube-apiserver, such as one that gives it a client
#               certificate for webhooks (a test of the webhook's client authentication)
# Then: cp_start [--no-controller-manager]; ... ; cp_stop.
# After cp_start: CP_KUBECONFIG (admin, system:masters), CP_API_URL, CP_CA_CRT, CP_CA_KEY, cp_kubectl.
# Failures call cp_fail MESSAGE, which prints the message and returns 1 from the
# failing function (callers use set -e or check).

CP_TIMEOUT="${CP_TIMEOUT:-90}"
CP_LOG_TAG="${CP_LOG_TAG:-control-plane}"
cp_pids=()

cp_log() { printf '[%s] %s\n' "$CP_LOG_TAG" "$*" >&2; }
cp_fail() { cp_log "FAIL: $*"; return 1; }

# A free TCP port on 127.0.0.1, below the kernel's ephemeral range: a port in
# that range can be taken at any moment by an outgoing connection (even the
# apiserver's own connections to etcd), and then bind fails. Checked against
# all sockets; a small race with other processes is accepted.
# cp_free_port VAR sets VAR (not printed: a subshell would forget cp_used_ports).
cp_used_ports=" "
cp_free_port() {
  local p low
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  ((low > 11000)) || low=32768
  for _ in $(seq 200); do
    p=$((10000 + RANDOM % (low - 10000)))
    [[ $cp_used_ports == *" $p "* ]] && continue
    if command -v ss >/dev/null; then
      [[ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]] || continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      continue
    fi
    cp_used_ports+="$p "
    printf -v "$1" '%s' "$p"
    return 0
  done
  return 1
}

# cp_wait_for DESCRIPTION PID COMMAND...: retry COMMAND until it succeeds, the
# process PID dies, or CP_TIMEOUT passes.
cp_wait_for() {
  local what=$1 pid=$2 deadline=$((SECONDS + CP_TIMEOUT))
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cp_fail "$what: process exited"; return 1; }
    ((SECONDS < deadline)) || { cp_fail "$what: timed out after ${CP_TIMEOUT}s"; return 1; }
    sleep 0.2
  done
}

cp_kubectl() { "$CP_BIN/kubectl" --kubeconfig "$CP_KUBECONFIG" "$@"; }

# cp_sign NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
cp_sign() {
  local pki="$CP_DIR/pki"
  openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr" &&
    printf '%s\n' "$3" >"$pki/$1.ext" &&
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
      -CAcreateserial -days 2 -extfile "$pki/$1.ext" -out "$pki/$1.crt"
}

cp_certificates() {
  local pki="$CP_DIR/pki"
  mkdir -p "$pki"
  CP_CA_CRT="$pki/ca.crt"
  CP_CA_KEY="$pki/ca.key"
  {
    # One CA signs the apiserver serving cert and the client certs.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=local-control-plane-ca" \
      -keyout "$pki/ca.key" -out "$pki/ca.crt" &&
      # SANs cover how clients dial it (127.0.0.1/localhost) and the in-cluster
      # Service IP / names, like a real cluster.
      cp_sign apiserver "/CN=kube-apiserver" "$(printf '%s\n' \
        "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" \
        "extendedKeyUsage=serverAuth")" &&
      # O=system:masters is bound to cluster-admin by RBAC's bootstrap policy,
      # so no RoleBinding is needed. CN is the user name.
      cp_sign admin "/O=system:masters/CN=local-admin" "extendedKeyUsage=clientAuth" &&
      # Service-account token signing key (private key signs, public verifies).
      openssl genrsa -out "$pki/sa.key" 2048 &&
      openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
  } >"$CP_DIR/openssl.log" 2>&1 || { cp_fail "openssl: $(tail -n 3 "$CP_DIR/openssl.log")"; return 1; }
}

cp_write_kubeconfig() {
  CP_KUBECONFIG="$CP_DIR/admin.kubeconfig"
  cat >"$CP_KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $CP_API_URL
    certificate-authority: $CP_DIR/pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $CP_DIR/pki/admin.crt
    client-key: $CP_DIR/pki/admin.key
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
EOF
}

cp_start_etcd() {
  local port peer
  cp_free_port port && cp_free_port peer || { cp_fail "no free port"; return 1; }
  CP_ETCD_URL="http://127.0.0.1:$port"
  cp_log "starting etcd on $CP_ETCD_URL"
  local args=(
    --name local
    --data-dir "$CP_DIR/etcd"
    --listen-client-urls "$CP_ETCD_URL"
    --advertise-client-urls "$CP_ETCD_URL"
    # The peer URL must be set too: the default (:2380) may clash with another etcd.
    --listen-peer-urls "http://127.0.0.1:$peer"
    --initial-advertise-peer-urls "http://127.0.0.1:$peer"
    --initial-cluster "local=http://127.0.0.1:$peer"
    # Throw-away data: skip fsync (much faster on slow disks).
    --unsafe-no-fsync
  )
  "$CP_BIN/etcd" "${args[@]}" >"$CP_DIR/etcd.log" 2>&1 &
  cp_pids+=("$!")
  cp_wait_for "etcd health" "$!" curl -fsS "$CP_ETCD_URL/health"
}

cp_apiserver_ready() {
  curl -fsS --cacert "$CP_DIR/pki/ca.crt" --cert "$CP_DIR/pki/admin.crt" --key "$CP_DIR/pki/admin.key" \
    "$CP_API_URL/readyz"
}

cp_start_apiserver() {
  local port start=$SECONDS
  cp_free_port port || { cp_fail "no free port"; return 1; }
  CP_API_URL="https://127.0.0.1:$port"
  cp_log "starting kube-apiserver on $CP_API_URL"
  local args=(
    --etcd-servers "$CP_ETCD_URL"
    --bind-address 127.0.0.1
    --secure-port "$port"
    # Address published for the "kubernetes" Service; without it the apiserver
    # picks the host's default-route interface, and fails if there is none...
    --advertise-address 127.0.0.1
    # ...but a loopback address is not a valid Endpoints IP: do not maintain the
    # "kubernetes" Endpoints (nothing in-cluster dials it: there are no nodes).
    --endpoint-reconciler-type none
    --tls-cert-file "$CP_DIR/pki/apiserver.crt"
    --tls-private-key-file "$CP_DIR/pki/apiserver.key"
    # Client-certificate authentication (admin and controller-manager).
    --client-ca-file "$CP_DIR/pki/ca.crt"
    --authorization-mode RBAC
    # Required since 1.20: service-account tokens (issuer + signing/verify keys).
    --service-account-issuer https://kubernetes.default.svc.cluster.local
    --service-account-signing-key-file "$CP_DIR/pki/sa.key"
    --service-account-key-file "$CP_DIR/pki/sa.pub"
    # Required: ClusterIPs for Services (first IP 10.0.0.1 is the "kubernetes" Service).
    --service-cluster-ip-range 10.0.0.0/24
    # Unused while --tls-cert-file is set; keeps generated certs out of /var/run/kubernetes.
    --cert-dir "$CP_DIR/apiserver-certs"
  )
  [[ -z ${CP_ADMISSION_CONFIG:-} ]] || args+=(--admission-control-config-file "$CP_ADMISSION_CONFIG")
  "$CP_BIN/kube-apiserver" "${args[@]}" >"$CP_DIR/kube-apiserver.log" 2>&1 &
  cp_pids+=("$!")
  cp_write_kubeconfig
  cp_wait_for "kube-apiserver /readyz" "$!" cp_apiserver_ready || return 1
  cp_log "kube-apiserver ready after $((SECONDS - start))s"
}

cp_start_controller_manager() {
  local port
  cp_free_port port || { cp_fail "no free port"; return 1; }
  cp_log "starting kube-controller-manager"
  # --kubeconfig: the admin identity for all controllers (simplest; a real cluster
  # uses CN=system:kube-controller-manager and --use-service-account-credentials).
  # No --authentication-/--authorization-kubeconfig: its HTTPS endpoint then
  # serves only /healthz, /readyz, /livez to anonymous callers; with them it also
  # wants the requestheader CA, which this apiserver lacks (no aggregation).
  local args=(
    --kubeconfig "$CP_KUBECONFIG"
    # serviceaccount creates each namespace's "default" ServiceAccount, which the
    # ServiceAccount admission plugin needs before a Pod can be created;
    # deployment -> ReplicaSet -> Pod; serviceaccount-token needs the key below.
    --controllers "serviceaccount,serviceaccount-token,deployment,replicaset"
    --service-account-private-key-file "$CP_DIR/pki/sa.key"
    --root-ca-file "$CP_DIR/pki/ca.crt"
    # One instance: no leader-election round trip before controllers start.
    --leader-elect=false
    # Its own HTTPS endpoint: loopback, a free port instead of 10257.
    --bind-address 127.0.0.1
    --secure-port "$port"
    --cert-dir "$CP_DIR/kcm-certs"
  )
  "$CP_BIN/kube-controller-manager" "${args[@]}" >"$CP_DIR/kube-controller-manager.log" 2>&1 &
  cp_pids+=("$!")
  cp_wait_for "kube-controller-manager /healthz" "$!" curl -fsSk "https://127.0.0.1:$port/healthz"
}

# cp_start [--no-controller-manager]
cp_start() {
  local b
  for b in etcd kube-apiserver kube-controller-manager kubectl; do
    [[ -x $CP_BIN/$b ]] || { cp_fail "missing $CP_BIN/$b"; return 1; }
  done
  for b in openssl curl; do
    command -v "$b" >/dev/null || { cp_fail "$b is required"; return 1; }
  done
  cp_certificates && cp_start_etcd && cp_start_apiserver || return 1
  [[ ${1:-} == --no-controller-manager ]] || cp_start_controller_manager
}

# Stops what cp_start started, in reverse order, each fully before the next: the
# apiserver must not lose etcd while it shuts down (that only produces log noise).
cp_stop() {
  local i pid
  for ((i = ${#cp_pids[@]} - 1; i >= 0; i--)); do
    pid="${cp_pids[i]}"
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  cp_pids=()
}

# Prints the last lines of each log, for a failure report.
cp_show_logs() {
  local f
  for f in etcd kube-apiserver kube-controller-manager; do
    [[ -f $CP_DIR/$f.log ]] || continue
    cp_log "---- last lines of $f.log ----"
    tail -n 25 "$CP_DIR/$f.log" >&2
  done
}
