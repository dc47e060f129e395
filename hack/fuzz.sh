#!/usr/bin/env bash
# Fuzzes each Jazzer @FuzzTest for its maxDuration (10 minutes), one after another, and reports executions and
# findings. A finding is written by Jazzer into the test's corpus directory under src/test/resources, where
# `mvn test` replays it from then on.
#   bash hack/fuzz.sh [Class#method ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(AdmissionFuzzTest#handlingNeverFailsUnexpectedly RegistryFuzzTest#manifestParsingNeverFailsUnexpectedly
    RegistryFuzzTest#authChallengeParsingNeverFails)
fi
mvn -B -q test-compile >&2
for target in "${targets[@]}"; do
  log=target/fuzz-${target//#/-}.log
  echo "fuzzing $target (log: $log)" >&2
  set +e
  mvn -B surefire:test@default-test -Djazzer.fuzz=1 -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1
  code=$?
  set -e
  runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  echo "$target: exit $code, ${runs:-?} executions, $(grep -cE '== Java Exception|Crash|DEDUP_TOKEN' "$log") finding lines"
done
