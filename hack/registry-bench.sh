#!/usr/bin/env bash
# Registry lookup benchmark (PERFORMANCE.md, "Registry lookups"): mutation latency with a cached image config
# against one that needs a lookup from a local registry on loopback, and registry requests per admission.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -x /usr/bin/docker-registry ]] || { echo "registry-bench.sh: apt-get install docker-registry" >&2; exit 1; }
mvn -B -q test-compile -Dexec.skip
cp=$(mktemp)
trap 'rm -f "$cp"' EXIT
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >/dev/null
exec java -cp "target/test-classes:target/classes:$(cat "$cp")" io.rlimitinjector.registry.RegistryLookupBench
