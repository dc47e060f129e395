#!/usr/bin/env bash
# Runtime matrix: how python3, C, Java 17 and Node behave in 512 MiB and 1 GiB
# memory cgroups, without the launcher and through it in modes as, data and auto.
# For each case: does the runtime start, and what happens when it allocates and
# touches 2x the limit in 64 MiB chunks. Then, in a pod's cgroups shaped like the
# kubelet's (hack/runtime-matrix/lib.sh new_pod): programs growing 1 MiB at a time,
# with an rlimit equal to the limit and through the launcher; 900 MiB in 1 GiB; and
# Go and Node programs with a live set and churn.
#
#   sudo bash hack/runtime-matrix.sh            # prints the table, writes docs/runtime-matrix.md
#   OUT=/tmp/m.md bash hack/runtime-matrix.sh   # write elsewhere
#   bash hack/cgroup-v2-guest.sh matrix         # the same under cgroup v2, in a QEMU guest
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
tools=(python3 node timeout)
[[ -n ${PREBUILT:-} ]] || tools+=(gcc go)
for tool in "${tools[@]}"; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -x "$java_home/bin/java" ]] || die "no JDK at $java_home (set JAVA_HOME)"

# shellcheck source=runtime-matrix/lib.sh
source "$assets/lib.sh"
work="$(mktemp -d /tmp/runtime-matrix.XXXXXX)"
trap 'cleanup_cgroups; rm -rf "$work"' EXIT

build_programs

# --- memory cgroups (hack/runtime-matrix/lib.sh) ------------------------------
find_parent_cgroup || die "no memory cgroup found"
matrix_cgroup() { # MiB: sets cg to a cgroup of that limit
  cg="$cg_parent/rlimit-injector-matrix-$$-$1"
  new_cgroup "$cg" $(($1 << 20))
}

# run_case CGROUP MODE CMD... : sets $rc, $stdout, $stderr, $ooms.
# MODE "none" runs without the launcher; "as=BYTES" or "data=BYTES" without it under that
# rlimit (prlimit); else the launcher ($launch) runs in that mode, with case_env[] added to the
# environment. The shell joins the cgroup, then execs.
case_env=()
run_case() {
  local cg="$1" mode="$2"
  shift 2
  local before wrap=() arenas=()
  case "$mode" in
    none) ;;
    as=*) wrap=(prlimit "--$mode") arenas=(MALLOC_ARENA_MAX=2) ;; # as the launcher does in as mode
    data=*) wrap=(prlimit "--$mode") ;;
    *) wrap=("$launch" --) ;;
  esac
  before="$(oom_kills "$cg")"
  set +e
  env -u RLIMIT_INJECTOR_MEMORY_LIMIT RLIMIT_INJECTOR_MODE="$mode" RLIMIT_INJECTOR_VERBOSE=1 \
    "${arenas[@]}" "${case_env[@]}" timeout -k 5 "$case_timeout" sh -c 'echo $$ > "$0" && exec "$@"' "$cg/cgroup.procs" \
    "${wrap[@]}" "$@" >"$work/out" 2>"$work/err"
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
  { grep -iE -m1 'insufficient memory|out of memory' <<<"$lines" ||
    grep -iE -m1 'error|fatal|could not|cannot|failed' <<<"$lines" || head -1 <<<"$lines"; } | cut -c1-100 | sed 's/|/\\|/g'
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
    c) echo "$c_label" ;;
    java) echo "java $("$java_home/bin/java" -version 2>&1 | awk -F'"' 'NR==1 {print $2}') (default flags)" ;;
    node) echo "node $("$node" --version)" ;;
  esac
}

table="| runtime | cgroup limit | launcher mode | starts? | allocate 2x the limit in 64 MiB chunks |
|---|---|---|---|---|"
for rt in "${runtimes[@]}"; do
  name="$(label "$rt")"
  for mib in 512 1024; do
    matrix_cgroup "$mib"
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

# --- in a pod: growing a little at a time, 900 MiB in 1 GiB, live set and churn ----------
# pod_case NAME MiB MODE CMD...: run_case in the container cgroup of a fresh pod (launcher copy on
# tmpfs, as an emptyDir with medium Memory), through that copy; sets alloc to the outcome.
pod_case() {
  local name="$1" mib="$2" mode="$3" installed="$launch"
  shift 3
  new_pod "matrix-$name" "$mib" tmpfs "$installed"
  launch="$emptydir/launch"
  run_case "$ctr" "$mode" "$@"
  launch="$installed"
  alloc="$(describe_alloc)"
  drop_pod
}
pod_row() { # table-variable cells...
  local row="|"
  local -n t="$1"
  shift
  for c in "$@"; do row+=" $c |"; done
  echo "$row" >&2
  t+=$'\n'"$row"
}

# The launcher's rlimit for a limit, from its own verbose line.
launcher_rlimit() {
  RLIMIT_INJECTOR_MEMORY_LIMIT=$(($1 << 20)) RLIMIT_INJECTOR_MODE=data RLIMIT_INJECTOR_VERBOSE=1 "$launch" -- true 2>&1 |
    sed -n 's/.*RLIMIT_DATA=\([0-9]*\).*/\1/p'
}

growing="| program | pod limit | no launcher | rlimit = the limit (ratio 1, no headroom) | launcher, default settings |
|---|---|---|---|---|"
for shape in "${growing_shapes[@]}"; do
  for mib in 256 1024; do
    read -r kind cmd <<<"$(shape_cmd "$shape" $((2 * mib)))"
    cells=("$(shape_label "$shape")" "$mib MiB")
    for mode in none "$kind=$((mib << 20))" auto; do
      # shellcheck disable=SC2086 # cmd is space-free paths and numbers
      pod_case "$shape" "$mib" "$mode" $cmd
      cells+=("$alloc")
    done
    pod_row growing "${cells[@]}"
  done
done
for shape in py-list c-mmap; do
  read -r kind cmd <<<"$(shape_cmd "$shape" 900)"
  cells=("$(shape_label "$shape"), to 900 MiB" "1024 MiB")
  for mode in none "$kind=$((1 << 30))" auto; do
    # shellcheck disable=SC2086
    pod_case "$shape" 1024 "$mode" $cmd
    cells+=("$alloc")
  done
  pod_row growing "${cells[@]}"
done

churn="| program | pod limit | no launcher | launcher, no soft limit | launcher, default settings |
|---|---|---|---|---|"
for live in 600 700; do # three runs a cell: whether the heap outgrows the limit before a collection ends is a race
  cells=("Go, $live MiB live, 400 x 8 MiB churned (3 runs)" "1024 MiB")
  for soft in none off on; do
    case_env=(RLIMIT_INJECTOR_GO_SOFT_LIMIT="$soft")
    mode=auto
    [[ $soft != none ]] || mode=none
    runs=()
    for _ in 1 2 3; do
      pod_case churn 1024 "$mode" "$work/churn-go" "$live" 400 8
      runs+=("${alloc%%:*}")
    done
    cells+=("$(IFS=';'; echo "${runs[*]}" | sed 's/;/; /g')")
  done
  case_env=()
  pod_row churn "${cells[@]}"
done
for live in 450 600; do
  cells=("node $("$node" --version), $live MiB live on the V8 heap, 100 x 8 MiB churned" "1024 MiB")
  for mode in none auto; do
    pod_case node-churn 1024 "$mode" "$node" "$assets/churn.js" "$live" 100 8
    cells+=("$alloc")
  done
  cells+=("(the launcher sets nothing for Node)")
  pod_row churn "${cells[@]:0:3}" "${cells[4]}" "${cells[3]}"
done

cmd_line="${MATRIX_CMD:-sudo bash hack/runtime-matrix.sh}"
# The part hack/cgroup-v2-guest.sh matrix appends stays as it is.
v2_part=""
[[ $cg_version == 2 || ! -f $out_md ]] || v2_part="$(sed -n '/^## cgroup v2, in a QEMU guest$/,$p' "$out_md")"
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
  echo
  echo "## Growing a little at a time, in a pod"
  echo
  echo "A pod's cgroups as the kubelet makes them for a one-container pod: a pod cgroup and a container"
  echo "cgroup under it, both limited to the container's limit; the pod cgroup is also charged the"
  echo "launcher's copy, written into a tmpfs (an emptyDir with \`medium: Memory\`) by \`launch --install\`"
  echo "from the pod cgroup, as the init container does. Each program grows to twice the limit, 1 MiB (or"
  echo "1 KiB) at a time. \"rlimit = the limit\" is the rlimit auto mode would pick, set with \`prlimit\` to"
  echo "the limit itself: what the launcher did before the headroom. The launcher now sets"
  echo "$(launcher_rlimit 256) bytes for 256 MiB and $(launcher_rlimit 1024) for 1 GiB (docs/launcher.md, \"The budget\")."
  echo
  echo "$growing"
  echo
  echo "## Live set and churn"
  echo
  echo "Go: \`src/launcher/testdata/churn\` (static) holds 600 or 700 MiB and then allocates and drops 8 MiB"
  echo "buffers; the launcher sets \`GOMEMLIMIT\` to 90% of its rlimit unless \`RLIMIT_INJECTOR_GO_SOFT_LIMIT=off\`."
  echo "\"failed (exit 2)\" is Go's \`fatal error: runtime: out of memory\` under the rlimit."
  echo "Node: \`hack/runtime-matrix/churn.js\` keeps arrays on the V8 heap; Node sizes that heap from the cgroup"
  echo "(half of it here), so it fails with its own heap error, not an OOM kill, with or without the launcher."
  echo
  echo "$churn"
  [[ -z $v2_part ]] || printf '\n%s\n' "$v2_part"
} >"$out_md"
echo "runtime-matrix: wrote $out_md" >&2
