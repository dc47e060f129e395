#!/usr/bin/env bash
# The test command: every test of the project, Java and Go, with one Maven build.
# Tests that need root, memory cgroups or real servers skip elsewhere; with RLIMIT_INJECTOR_NO_SKIP=1
# (as .ci/run sets) they fail instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need() { command -v "$1" >/dev/null || { echo "test.sh: $1 is required ($2)" >&2; exit 1; }; }
need java "Java 17"
need mvn "Maven 3.8+"
need go "Go 1.22+"
need python3 "the launcher's cgroup tests run python3"
need gcc "the launcher's cgroup tests build static C allocators (glibc's libc.a, from libc6-dev)"
need node "the launcher's cgroup tests run Node.js"
need javac "the launcher's cgroup tests run a JVM with -Xmx above the limit"

# apt_once PACKAGE WHAT FILE...: Debian's PACKAGE, installed when one of its FILEs is missing (root only), for WHAT;
# true when it was installed now.
apt_once() {
  local package=$1 what=$2 file
  shift 2
  for file in "$@"; do
    [[ -x $file ]] && continue
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "test.sh: installing $package for $what" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >&2
      return 0
    fi
    echo "test.sh: $file is missing (apt-get install $package); $what will skip (fail in CI)" >&2
    return 1
  done
  return 1
}

# The registry tests run a real registry (distribution v2) on loopback: Debian's docker-registry, installed once.
apt_once docker-registry "the registry tests" /usr/bin/docker-registry || true
# The release test lints .github/workflows with actionlint, which checks each run: script with shellcheck.
apt_once shellcheck "the workflow lint" /usr/bin/shellcheck || true

# The release test runs hack/release.sh with helm, actionlint and cyclonedx-gomod, built once from the Go module
# proxy and cached (helm where the kind scripts keep it); later runs only find them.
if RLIMIT_INJECTOR_RELEASE_TOOLS="$(bash hack/release.sh tools)"; then
  export RLIMIT_INJECTOR_RELEASE_TOOLS
else
  echo "test.sh: hack/release.sh tools failed; the release test will skip (fail in CI)" >&2
  export RLIMIT_INJECTOR_RELEASE_TOOLS=/nonexistent
fi

# The alert tests run promtool and a real Prometheus on loopback: Debian's prometheus package, installed once. Its
# service is stopped and disabled: the tests start their own, with their own configuration and port.
if apt_once prometheus "the alert tests" /usr/bin/prometheus /usr/bin/promtool &&
  command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
  systemctl disable --now prometheus >&2 || true
fi

# Tests against a real kube-apiserver use these binaries; the first run on a machine builds them (about 8 min),
# later runs only find them (5 ms). A machine that cannot build them gets skips, or failures in CI.
if RLIMIT_INJECTOR_K8S_BIN="$(bash hack/k8s-test-binaries.sh)"; then
  export RLIMIT_INJECTOR_K8S_BIN
else
  echo "test.sh: hack/k8s-test-binaries.sh failed; tests against a real API server will skip (fail in CI)" >&2
  export RLIMIT_INJECTOR_K8S_BIN=/nonexistent
fi

# The API-server tests run a second time, in a surefire execution of their own (pom.xml, profile k8s-oldest, reports
# in target/surefire-reports-k8s-oldest), against the oldest Kubernetes the chart claims: its kubeVersion.
K8S_OLDEST_VERSION=v1.35.4
oldest=()
if K8S_OLDEST_BIN="$(K8S_VERSION=$K8S_OLDEST_VERSION bash hack/k8s-test-binaries.sh)"; then
  oldest=(-Dk8s-oldest.bin="$K8S_OLDEST_BIN")
  echo "test.sh: the API-server tests also run against Kubernetes $K8S_OLDEST_VERSION ($K8S_OLDEST_BIN)" >&2
else
  echo "test.sh: no Kubernetes $K8S_OLDEST_VERSION binaries; the API-server tests run against one version only" >&2
fi

rm -rf target/surefire-reports-k8s-oldest # .ci/run reads it: no report from an earlier run may stand in
mvn -B verify "${oldest[@]}" "$@"
# A short pass of the bad-input run against the real jar with the chart's JVM flags.
bash hack/hostile.sh 3000
