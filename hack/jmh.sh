#!/usr/bin/env bash
# JMH benchmarks of the mutation path, with allocation per operation (-prof gc).
#   bash hack/jmh.sh [JMH args...]      e.g. bash hack/jmh.sh MutationBenchmark.mutatePod
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main -prof gc "${@:-MutationBenchmark}"
