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

mvn -B verify "$@"
# A short pass of the bad-input run against the real jar with the chart's JVM flags.
bash hack/hostile.sh 3000
