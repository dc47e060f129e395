#!/usr/bin/env bash
# Runs a local control plane (hack/lib/control-plane.sh) for a caller that holds its stdin:
# the Java test fixture (src/test/java/io/rlimitinjector/testing/KubeApiServer.java).
#
#   hack/k8s-control-plane.sh BIN_DIR WORK_DIR
#
# Prints "ready <apiserver URL>" on stdout once etcd, kube-apiserver and kube-controller-manager
# serve (WORK_DIR/admin.kubeconfig is then usable), and stops them all when stdin reaches end of
# file or on SIGTERM/SIGINT. Reading stdin is what makes this safe: if the caller dies, even by
# SIGKILL, its end of the pipe closes and the control plane goes with it. Progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/control-plane.sh
source "$here/lib/control-plane.sh"
(($# == 2)) || { echo "usage: $0 BIN_DIR WORK_DIR" >&2; exit 2; }
CP_BIN="$1"
CP_DIR="$2"

stop() {
  local rc=$?
  cp_stop
  exit "$rc"
}
trap stop EXIT
trap 'exit 143' INT TERM

cp_start || { cp_show_logs; exit 1; }
echo "ready $CP_API_URL"
# Blocks until the caller closes our stdin (or dies); the EXIT trap then stops everything.
cat >/dev/null || true
