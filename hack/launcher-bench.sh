#!/usr/bin/env bash
# Per-exec overhead of the launcher: `launch -- /bin/true` against `/bin/true`,
# with and without a limit to set, plus the binary sizes. Uses hyperfine
# (apt-get install hyperfine); prints medians and ratios.
#
#   bash hack/launcher-bench.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v hyperfine >/dev/null || { echo "launcher-bench: needs hyperfine (apt-get install -y hyperfine)" >&2; exit 1; }
work="$(mktemp -d /tmp/launcher-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

bash "$repo/src/launcher/build.sh" "$work/build" >/dev/null
launch="$work/build/launcher/linux-$(go env GOARCH)/launch"
true_bin="$(type -P true)" # the binary, not the shell builtin
true_bin="$(readlink -f "$true_bin")"

# -N: no intermediate shell, so only the exec'd processes are timed.
env -u RLIMIT_INJECTOR_MEMORY_LIMIT -u RLIMIT_INJECTOR_MODE \
  hyperfine -N --warmup 100 --runs "${RUNS:-2000}" --export-json "$work/bench.json" \
  --command-name="true" --command-name="launch -- true (no limit found: exec only)" \
  --command-name="launch -- true (limit 1 GiB: setrlimit + exec)" --command-name="env -- true (baseline for the row above)" \
  "$true_bin" "$launch -- $true_bin" \
  "env RLIMIT_INJECTOR_MEMORY_LIMIT=1073741824 $launch -- $true_bin" \
  "env RLIMIT_INJECTOR_MEMORY_LIMIT=1073741824 $true_bin" >&2

python3 - "$work/bench.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
m = {x["command"]: x["median"] * 1e3 for x in r}
names = list(m)
print("| command | median (ms) | vs baseline |")
print("|---|---|---|")
base = {names[0]: names[0], names[1]: names[0], names[2]: names[3], names[3]: names[3]}
for n in names:
    print(f"| `{n}` | {m[n]:.3f} | {m[n] / m[base[n]]:.2f}x |")
PY
echo
echo "| binary | bytes |"
echo "|---|---|"
for arch in amd64 arm64; do
  echo "| linux/$arch launch | $(stat -c %s "$work/build/launcher/linux-$arch/launch") |"
done
echo "| image.tar (both platforms) | $(stat -c %s "$work/build/launcher/image.tar") |"
echo
echo "($(nproc) cores, kernel $(uname -r), $(go version | awk '{print $3}'), hyperfine $(hyperfine --version | awk '{print $2}'), $(date -u +%Y-%m-%d))"
