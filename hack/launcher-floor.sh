#!/usr/bin/env bash
# The smallest RLIMIT_AS and RLIMIT_DATA at which common programs still start and print one line:
# the evidence for the launcher's floor (minRlimit in budget.go, docs/launcher.md "The floor").
#
#   sudo bash hack/launcher-floor.sh [CGROUP_MiB...]     # default: 64 1024
#
# Each program runs in a memory cgroup limited to CGROUP_MiB (the JVM and Node size their heaps from it)
# under prlimit --as or --data; a binary search (64 KiB steps, up to 4 GiB) finds the smallest limit at
# which it prints its line and exits 0 within 20 s (node can hang under a small RLIMIT_DATA). RLIMIT_AS
# runs get MALLOC_ARENA_MAX=2, as the launcher gives them.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=runtime-matrix/lib.sh
source "$repo/hack/runtime-matrix/lib.sh"
java_home="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
read -r -a sizes <<<"${*:-64 1024}"
step=64 # KiB
top=$((4 << 20)) # KiB

die() { echo "launcher-floor: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (creates memory cgroups)"
find_parent_cgroup || die "no memory cgroup found"
work="$(mktemp -d /tmp/launcher-floor.XXXXXX)"
trap 'cleanup_cgroups; rm -rf "$work"' EXIT

printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' >"$work/hello.c"
gcc -O1 -static -o "$work/hello-static" "$work/hello.c"
gcc -O1 -o "$work/hello-dynamic" "$work/hello.c"
printf 'public class Hello { public static void main(String[] a) { System.out.println("ok"); } }\n' >"$work/Hello.java"
"$java_home/bin/javac" -d "$work" "$work/Hello.java"
# A Go program: the launcher itself, printing its version.
(cd "$repo/src/launcher" && CGO_ENABLED=0 go build -o "$work/launch" .)

python="$(python3 -c 'import sys; print(sys.executable)')" # past any pyenv shim
programs=(c-static c-dynamic sh python3 go node java)
# argv_of PROGRAM: sets argv to a command that starts it and prints one line.
argv_of() {
  case "$1" in
    c-static) argv=("$work/hello-static") ;;
    c-dynamic) argv=("$work/hello-dynamic") ;;
    sh) argv=(/bin/sh -c 'echo ok') ;;
    python3) argv=("$python" -c 'print("ok")') ;;
    go) argv=("$work/launch" --version) ;;
    node) argv=(node -e 'console.log("ok")') ;;
    java) argv=("$java_home/bin/java" -XX:ErrorFile="$work/hs_err_%p.log" -cp "$work" Hello) ;;
  esac
}

# starts KIND KiB: does the program print its line and exit 0 under that rlimit in the cgroup? prlimit
# sets the limit on itself right before it execs the program, so nothing else runs under it.
starts() {
  local out
  out="$(MALLOC_ARENA_MAX=2 join_cgroup "$cg" timeout -k 5 20 prlimit "--$1=$(($2 << 10))" "${argv[@]}" 2>/dev/null)" && [[ -n $out ]]
}

echo "| program | cgroup MiB | smallest RLIMIT_AS MiB | smallest RLIMIT_DATA MiB |"
echo "|---|---|---|---|"
for size in "${sizes[@]}"; do
  cg="$cg_parent/rlimit-injector-floor-$$"
  new_cgroup "$cg" $((size << 20))
  for prog in "${programs[@]}"; do
    argv_of "$prog"
    row="| $prog | $size |"
    for kind in as data; do
      if ! starts "$kind" "$top"; then row+=" > 4096 |"; continue; fi
      lo=0 hi=$top
      while ((hi - lo > step)); do
        mid=$(((lo + hi) / 2 / step * step))
        if starts "$kind" "$mid"; then hi=$mid; else lo=$mid; fi
      done
      row+=" $(awk -v k="$hi" 'BEGIN { printf "%.2f", k / 1024 }') |"
    done
    echo "$row"
  done
  rmdir "$cg"
done
