#!/usr/bin/env bash
# The demo: what the webhook does to a Deployment, then what the launcher does to a process that
# allocates past its limit. Needs no cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jar=target/rlimit-injector.jar
launcher=target/launcher/linux-amd64/launch
if [[ ! -f $jar || ! -x $launcher ]]; then
  echo "== building (first run only)" >&2
  mvn -B -q package -DskipTests >&2
fi

echo "== 1. The webhook's mutation, offline: rlimit-injector inject -f examples/deployment.yaml"
java -jar "$jar" inject -f examples/deployment.yaml

echo
echo "== 2. The launcher: python3 allocates 1 GiB under a 256 MiB limit"
echo "   without the launcher, in a 256 MiB container, the kernel would SIGKILL it (exit 137);"
echo "   through it, the allocation fails inside the program:"
set +e
RLIMIT_INJECTOR_MEMORY_LIMIT=268435456 RLIMIT_INJECTOR_MODE=as RLIMIT_INJECTOR_VERBOSE=1 \
  "$launcher" -- python3 -c '
try:
    data = bytearray(1 << 30)
except MemoryError:
    print("   python3: MemoryError caught, the program reports it and exits cleanly")
    raise SystemExit(3)
'
code=$?
set -e
echo "   exit code $code (3 = the program handled MemoryError)"
[[ $code -eq 3 ]]
