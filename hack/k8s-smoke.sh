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
# The flags are in hack/lib/control-plane.sh, shared with the Java tests and the demo.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/control-plane.sh
source "$here/lib/control-plane.sh"
CP_TIMEOUT="${SMOKE_TIMEOUT:-90}"
CP_LOG_TAG=k8s-smoke

CP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/k8s-smoke.XXXXXX")"
result=""

cleanup() {
  local rc=$?
  cp_stop
  if [[ -z $result ]]; then
    result="FAIL: k8s-smoke aborted (exit $rc)"
  fi
  if [[ $result == FAIL* ]]; then
    cp_show_logs
    ((rc != 0)) || rc=1
  fi
  if [[ -n ${KEEP_TMP:-} ]]; then
    cp_log "kept $CP_DIR"
  else
    rm -rf "$CP_DIR"
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

if [[ -n ${K8S_BIN_DIR:-} ]]; then
  CP_BIN="$K8S_BIN_DIR"
else
  CP_BIN="$("$here/k8s-test-binaries.sh")" || fail "hack/k8s-test-binaries.sh failed"
fi
cp_log "binaries: $CP_BIN; temp dir: $CP_DIR"
cp_start || fail "control plane did not start"

cp_kubectl version >"$CP_DIR/version.txt" 2>&1 || fail "kubectl version: $(cat "$CP_DIR/version.txt")"
sed 's/^/  /' "$CP_DIR/version.txt" >&2
server_version="$(cp_kubectl version -o json 2>/dev/null | sed -n '/"serverVersion"/,/}/s/.*"gitVersion": "\([^"]*\)".*/\1/p')"
[[ $server_version == v* ]] || fail "cannot read server gitVersion"

ns=smoke
cp_kubectl create namespace "$ns" >&2 || fail "create namespace"
cp_kubectl -n "$ns" create deployment smoke --image=registry.invalid/x:1 --replicas=1 >&2 ||
  fail "create deployment"

# The ReplicaSet controller creates the Pod once the "default" ServiceAccount
# exists; it stays Pending (no node, no scheduler).
pod_exists() { [[ -n "$(cp_kubectl -n "$ns" get pods -l app=smoke -o name 2>/dev/null)" ]]; }
cp_wait_for "Pod created by the ReplicaSet controller" "${cp_pids[-1]}" pod_exists ||
  fail "no Pod from the Deployment"
cp_kubectl -n "$ns" get deployment,replicaset,pods -o wide >&2

result="PASS: k8s-smoke: apiserver $server_version on etcd $("$CP_BIN/etcd" --version | sed -n 's/^etcd Version: //p'), Deployment -> ReplicaSet -> Pod"
