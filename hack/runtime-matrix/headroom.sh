#!/usr/bin/env bash
# How much headroom below a pod's memory limit the rlimit needs so that a program growing a little at a
# time gets its own allocation error before the pod's memory cgroup OOM-kills it (issue 16).
#
#   sudo bash hack/runtime-matrix/headroom.sh [LIMITS_MiB...]     # default: 64 128 256 512 1024 2048 4096
#   SHAPES="c-mmap go" MEDIA=disk sudo bash hack/runtime-matrix/headroom.sh 1024
#
# Each case runs in a hierarchy shaped like the kubelet's: a pod cgroup limited to L, a container cgroup
# under it limited to L, and the launcher's copy written into the pod cgroup's charge by `launch --install`
# (the init container) on tmpfs (an emptyDir with medium Memory) or on disk (a plain emptyDir). The program
# grows by 1 MiB (or small blocks) to twice the limit under an rlimit of L - h set with prlimit; a binary
# search finds the smallest h (64 KiB steps) that ends in the program's own error instead of an OOM kill.
# Prints one row per shape, limit and medium: that h, and the pod cgroup's peak kernel memory (v1) there.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
assets="$repo/hack/runtime-matrix"
# shellcheck source=lib.sh
source "$assets/lib.sh"
java_home="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
limits=("${@:-64 128 256 512 1024 2048 4096}")
read -r -a limits <<<"${limits[*]}"
read -r -a shapes <<<"${SHAPES:-${growing_shapes[*]}}"
read -r -a media <<<"${MEDIA:-tmpfs disk}"
step=64 # KiB

die() { echo "headroom: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (creates memory cgroups, mounts tmpfs)"
find_parent_cgroup || die "no memory cgroup found"
work="$(mktemp -d /tmp/headroom.XXXXXX)"
trap 'cleanup_cgroups; rm -rf "$work"' EXIT

build_programs

# probe SHAPE MiB MEDIUM H_KiB -> prints "oom|error|ok|timeout KMEM_PEAK_KiB".
probe() {
  local kind cmd rc ooms
  read -r kind cmd <<<"$(shape_cmd "$1" $((2 * $2)))"
  new_pod headroom "$2" "$3" "$launch"
  local before; before=$(pod_oom_kills)
  local rl=$((($2 << 20) - ($4 << 10)))
  set +e
  # shellcheck disable=SC2086 # cmd is space-free paths and numbers
  env MALLOC_ARENA_MAX=2 timeout -k 5 120 sh -c 'echo $$ > "$0" && exec "$@"' "$ctr/cgroup.procs" \
    prlimit "--$kind=$rl" $cmd >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  ooms=$(($(pod_oom_kills) - before))
  local peak=-
  [[ $cg_version != 1 ]] || peak=$(($(cat "$pod/memory.kmem.max_usage_in_bytes") >> 10))
  drop_pod
  if ((ooms > 0 || rc == 137)); then echo "oom $peak"
  elif ((rc == 0)); then echo "ok $peak"
  elif ((rc == 124)); then echo "timeout $peak"
  else echo "error $peak"
  fi
}

# needed SHAPE MiB MEDIUM: smallest h (KiB, multiple of step) whose outcome is the program's error.
needed() {
  local lo=0 hi=$((8 << 10)) r peak
  read -r r peak <<<"$(probe "$1" "$2" "$3" 0)"
  [[ $r != error ]] || { echo "0 $peak"; return; }
  while read -r r peak <<<"$(probe "$1" "$2" "$3" "$hi")"; [[ $r == oom ]]; do
    lo=$hi
    hi=$((hi * 2))
    ((hi <= ($2 << 9))) || { echo "none -"; return; }
  done
  [[ $r == error ]] || { echo "$r -"; return; }
  local best=$peak p
  while ((hi - lo > step)); do
    local mid=$(((lo + hi) / 2 / step * step))
    read -r r p <<<"$(probe "$1" "$2" "$3" "$mid")"
    if [[ $r == error ]]; then hi=$mid; best=$p; else lo=$mid; fi
  done
  echo "$hi $best"
}

echo "| shape | limit MiB | emptyDir | needed headroom KiB | pod kmem peak KiB |"
echo "|---|---|---|---|---|"
for shape in "${shapes[@]}"; do
  for mib in "${limits[@]}"; do
    for medium in "${media[@]}"; do
      read -r h peak <<<"$(needed "$shape" "$mib" "$medium")"
      echo "| $shape | $mib | $medium | $h | $peak |"
    done
  done
done
