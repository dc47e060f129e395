#!/usr/bin/env bash
# Runtime matrix: how python3, C, Java 17 and Node behave in 512 MiB and 1 GiB
# memory cgroups, without the launcher and through it in modes as, data and auto.
# For each case: does the runtime start, and what happens when it allocates and
# touches 2x the limit in 64 MiB chunks.
#
#   sudo bash hack/runtime-matrix.sh            # prints the table, writes docs/runtime-matrix.md
#   OUT=/tmp/m.md bash hack/runtime-matrix.sh   # write elsewhere
#
# Needs root and a memory cgroup (v1, or v2 with the memory controller delegated
# to this process's cgroup), Go, gcc, python3, node and a JDK 17
# (JAVA_HOME, default /usr/lib/jvm/java-17-openjdk-amd64). Every case is bounded
# by CASE_TIMEOUT seconds (default 60).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
assets="$repo/hack/runtime-matrix"
out_md="${OUT:-$repo/docs/runtime-matrix.md}"
java_home="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
case_timeout="${CASE_TIMEOUT:-60}"

die() { echo "runtime-matrix: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (creates memory cgroups)"
for tool in gcc python3 node timeout; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -x "$java_home/bin/java" ]] || die "no JDK at $java_home (set JAVA_HOME)"

work="$(mktemp -d /tmp/runtime-matrix.XXXXXX)"
cgroups=()
cleanup() {
  local c
  for c in "${cgroups[@]}"; do rmdir "$c" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- build what runs ---------------------------------------------------------
bash "$repo/src/launcher/build.sh" "$work/build" >/dev/null
launch="$work/build/launcher/linux-$(go env GOARCH)/launch"
gcc -O1 -o "$work/alloc" "$assets/alloc.c"
"$java_home/bin/javac" -d "$work" "$assets/Alloc.java"
python="$(python3 -c 'import sys; print(sys.executable)')" # past any pyenv shim
node="$(command -v node)"

# --- memory cgroups ----------------------------------------------------------
# A child of this script's own memory cgroup, so it stays inside whatever
# accounting the script runs under. Sets cg_parent and cg_version.
find_parent_cgroup() {
  local path root point
  path="$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)"
  if [[ -n "$path" ]]; then
    read -r root point < <(awk '{for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup" && $(i+3) ~ /(^|,)memory(,|$)/) print $4, $5}' /proc/self/mountinfo | head -1)
    [[ -n "$point" ]] || return 1
    cg_version=1
  else
    path="$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)"
    read -r root point < <(awk '{for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup2") print $4, $5}' /proc/self/mountinfo | head -1)
    [[ -n "$point" ]] || return 1
    cg_version=2
  fi
  [[ "$root" == "/" ]] || path="${path#"$root"}"
  cg_parent="$point$path"
}
find_parent_cgroup || die "no memory cgroup found"
if [[ $cg_version == 2 ]] && ! grep -qw memory "$cg_parent/cgroup.subtree_control"; then
  die "cgroup v2 without the memory controller enabled in $cg_parent/cgroup.subtree_control"
fi

new_cgroup() { # MiB -> directory
  local dir="$cg_parent/rlimit-injector-matrix-$$-$1"
  [[ -d "$dir" ]] || mkdir "$dir"
  cgroups+=("$dir")
  local bytes=$(($1 << 20))
  if [[ $cg_version == 1 ]]; then
    echo "$bytes" >"$dir/memory.limit_in_bytes"
    [[ ! -e "$dir/memory.memsw.limit_in_bytes" ]] || echo "$bytes" >"$dir/memory.memsw.limit_in_bytes"
  else
    echo "$bytes" >"$dir/memory.max"
    [[ ! -e "$dir/memory.swap.max" ]] || echo 0 >"$dir/memory.swap.max"
  fi
  echo "$dir"
}

oom_kills() {
  local f="$1/memory.oom_control"
  [[ $cg_version == 1 ]] || f="$1/memory.events"
  awk '$1 == "oom_kill" {print $2}' "$f"
}

# run_case CGROUP MODE CMD... : sets $rc, $stdout, $stderr, $ooms.
# MODE "none" runs without the launcher. The shell joins the cgroup, then execs.
run_case() {
  local cg="$1" mode="$2"
  shift 2
  local before wrap=()
  [[ "$mode" == none ]] || wrap=("$launch" --)
  before="$(oom_kills "$cg")"
  set +e
  env -u RLIMIT_INJECTOR_MEMORY_LIMIT RLIMIT_INJECTOR_MODE="$mode" RLIMIT_INJECTOR_VERBOSE=1 \
    timeout -k 5 "$case_timeout" sh -c 'echo $$ > "$0" && exec "$@"' "$cg/cgroup.procs" "${wrap[@]}" "$@" \
    >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  stdout="$(cat "$work/out")"
  stderr="$(cat "$work/err")"
  ooms=$(($(oom_kills "$cg") - before))
}

# The mode auto picked, from the launcher's verbose line.
auto_choice() {
  sed -n 's/^rlimit-injector: .*; mode \([a-z]*\) (auto.*/\1/p; s/^rlimit-injector: no memory limit.*; mode \([a-z]*\).*/\1/p' <<<"$stderr" | head -1
}

# The program's complaint in one line: the first line (stdout or stderr, the
# JVM reports start-up failures on stdout) that looks like an error.
first_error() {
  local lines
  lines="$(printf '%s\n%s\n' "$stderr" "$stdout" | grep -v '^rlimit-injector: ' | sed 's/^[#[:space:]]*//' | grep -v '^$' || true)"
  { grep -iE -m1 'error|fatal|could not|cannot|out of memory|failed' <<<"$lines" || head -1 <<<"$lines"; } | cut -c1-100 | sed 's/|/\\|/g'
}

describe_start() {
  if [[ $rc == 0 ]]; then echo "starts"
  elif [[ $rc == 124 ]]; then echo "timeout"
  elif [[ $ooms -gt 0 ]]; then echo "SIGKILL 137 (OOM) at start"
  else echo "fails to start (exit $rc): $(first_error)"
  fi
}

describe_alloc() {
  local last
  last="$(grep -E '^(OK|ERROR) ' <<<"$stdout" | tail -1)"
  if [[ $rc == 124 ]]; then echo "timeout after ${case_timeout}s"
  elif [[ $ooms -gt 0 || $rc == 137 ]]; then echo "SIGKILL 137 (OOM kill)"
  elif [[ $rc == 0 ]]; then echo "ok: ${last#OK }"
  elif [[ "$last" == ERROR* ]]; then echo "in-process error: ${last#ERROR }"
  elif (( rc > 128 )); then echo "killed by signal $((rc - 128)): $(first_error)"
  else echo "failed (exit $rc): $(first_error)"
  fi
}

runtimes=(python3 c java node)
start_cmd() {
  case "$1" in
    python3) echo "$python -c pass" ;;
    c) echo "$work/alloc 0" ;;
    java) echo "$java_home/bin/java -version" ;;
    node) echo "$node -e 0" ;;
  esac
}
alloc_cmd() { # runtime MiB
  case "$1" in
    python3) echo "$python $assets/alloc.py $2" ;;
    c) echo "$work/alloc $2" ;;
    java) echo "$java_home/bin/java -cp $work Alloc $2" ;;
    node) echo "$node $assets/alloc.js $2" ;;
  esac
}
label() {
  case "$1" in
    python3) echo "python $("$python" -c 'import platform; print(platform.python_version())')" ;;
    c) echo "C (gcc $(gcc -dumpversion), glibc malloc)" ;;
    java) echo "java $("$java_home/bin/java" -version 2>&1 | awk -F'"' 'NR==1 {print $2}') (default flags)" ;;
    node) echo "node $("$node" --version)" ;;
  esac
}

table="| runtime | cgroup limit | launcher mode | starts? | allocate 2x the limit in 64 MiB chunks |
|---|---|---|---|---|"
for rt in "${runtimes[@]}"; do
  name="$(label "$rt")"
  for mib in 512 1024; do
    cg="$(new_cgroup "$mib")"
    for mode in none as data auto; do
      # shellcheck disable=SC2046 # the commands are space-free paths and numbers
      run_case "$cg" "$mode" $(start_cmd "$rt")
      start="$(describe_start)"
      shown="$mode"
      [[ "$mode" != none ]] || shown="no launcher"
      [[ "$mode" != auto ]] || shown="auto -> $(auto_choice)"
      # shellcheck disable=SC2046
      run_case "$cg" "$mode" $(alloc_cmd "$rt" $((2 * mib)))
      alloc="$(describe_alloc)"
      row="| $name | $mib MiB | $shown | $start | $alloc |"
      echo "$row" >&2
      table+=$'\n'"$row"
    done
  done
done

cmd_line="sudo bash hack/runtime-matrix.sh"
{
  echo "# Runtime matrix (measured)"
  echo
  echo "Generated $(date -u +%Y-%m-%dT%H:%MZ) by \`$cmd_line\` (rerun it to regenerate)."
  echo "Kernel $(uname -r) ($(uname -m)), cgroup v$cg_version memory controller, swap off in the test cgroups."
  echo "Each case runs in a fresh memory cgroup of the given limit; \"starts?\" runs \`python3 -c pass\`,"
  echo "the C program with 0 MiB, \`java -version\`, \`node -e 0\`. The allocation programs are in"
  echo "\`hack/runtime-matrix/\`; each keeps and touches 64 MiB chunks until it has 2x the limit and prints"
  echo "how far it got. \"SIGKILL 137 (OOM kill)\" is confirmed by the cgroup's \`oom_kill\` counter."
  echo "The launcher takes the limit from the cgroup (\`RLIMIT_INJECTOR_MEMORY_LIMIT\` unset), ratio 1.0."
  echo
  echo "$table"
} >"$out_md"
echo "$table"
echo "runtime-matrix: wrote $out_md" >&2
