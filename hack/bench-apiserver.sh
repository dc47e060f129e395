#!/usr/bin/env bash
# Admission round trip through a real kube-apiserver: median and p99 of pod create time with the webhook
# and without it, in one run (src/test/java/io/rlimitinjector/admission/ApiServerAdmissionBench.java).
#
#   hack/bench-apiserver.sh [PODS]    # PODS per side, default 300
#
# Results on stdout; the control plane's and Maven's progress on stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RLIMIT_INJECTOR_K8S_BIN="$(bash hack/k8s-test-binaries.sh)"
export RLIMIT_INJECTOR_K8S_BIN
mvn -B -q -Dexec.skip test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  -Drlimit-injector.project-dir="$PWD" \
  io.rlimitinjector.admission.ApiServerAdmissionBench "${1:-300}" 2> >(grep -v '^\[main\] INFO' >&2)
