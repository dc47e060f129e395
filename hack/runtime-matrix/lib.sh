# Memory cgroups and programs for the runtime matrix and the headroom measurement (sourced; needs
# root). find_parent_cgroup sets cg_parent (this process's own memory cgroup: everything made here
# stays inside its accounting) and cg_version; what is created is kept in cgroups[] and mounts[] for
# cleanup_cgroups. The caller sets repo, assets, work and java_home.

cgroups=()
mounts=()

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
  if [[ $cg_version == 2 ]] && ! grep -qw memory "$cg_parent/cgroup.subtree_control"; then
    echo "cgroup v2 without the memory controller enabled in $cg_parent/cgroup.subtree_control" >&2
    return 1
  fi
}

# new_cgroup DIR BYTES: a memory cgroup limited to BYTES, swap included.
new_cgroup() {
  local dir="$1" bytes="$2"
  [[ -d "$dir" ]] || mkdir "$dir"
  cgroups=("$dir" "${cgroups[@]}") # children first when removing
  if [[ $cg_version == 1 ]]; then
    # memsw must stay >= the limit: raise memsw first when growing, the limit first when shrinking.
    echo "$bytes" >"$dir/memory.limit_in_bytes" 2>/dev/null || true
    [[ ! -e "$dir/memory.memsw.limit_in_bytes" ]] || echo "$bytes" >"$dir/memory.memsw.limit_in_bytes"
    echo "$bytes" >"$dir/memory.limit_in_bytes"
  else
    echo "$bytes" >"$dir/memory.max"
    [[ ! -e "$dir/memory.swap.max" ]] || echo 0 >"$dir/memory.swap.max"
  fi
}

oom_kills() {
  local f="$1/memory.oom_control"
  [[ $cg_version == 1 ]] || f="$1/memory.events"
  awk '$1 == "oom_kill" {print $2}' "$f"
}

# join_cgroup DIR CMD...: a shell joins DIR, then execs CMD, so nothing of CMD runs outside.
join_cgroup() {
  local dir="$1"
  shift
  sh -c 'echo $$ > "$0" && exec "$@"' "$dir/cgroup.procs" "$@"
}

# new_pod NAME MiB MEDIUM LAUNCH: a hierarchy shaped like the kubelet's for a one-container pod: a pod
# cgroup and a container cgroup under it, both limited to MiB, and the launcher installed by
# `LAUNCH --install` from a cgroup under the pod's (as the init container does) into an emptyDir, a tmpfs for
# MEDIUM "tmpfs" (medium: Memory), else a directory on disk; the pod is charged for that copy.
# Sets pod, ctr and emptydir (the launcher is $emptydir/launch); drop_pod removes them.
new_pod() {
  pod="$cg_parent/rlimit-injector-$1-$$"
  ctr="$pod/c"
  new_cgroup "$pod" $(($2 << 20))
  [[ $cg_version == 1 ]] || echo +memory >"$pod/cgroup.subtree_control"
  new_cgroup "$ctr" $(($2 << 20))
  emptydir="$(mktemp -d /tmp/rlimit-injector-emptydir.XXXXXX)"
  if [[ $3 == tmpfs ]]; then
    mount -t tmpfs -o size=8m tmpfs "$emptydir"
    mounts+=("$emptydir")
  fi
  # The init container's own cgroup (v2 allows no process beside child cgroups); its charges stay
  # with the pod when it is removed.
  mkdir "$pod/init"
  join_cgroup "$pod/init" "$4" --install "$emptydir"
  rmdir "$pod/init"
}

# The pod's OOM kills: v1 counts a kill only in the victim's cgroup, v2 in its ancestors too.
pod_oom_kills() {
  echo $(($(oom_kills "$pod") + $(oom_kills "$ctr")))
}

drop_pod() {
  umount "$emptydir" 2>/dev/null || true
  rm -rf "$emptydir"
  rmdir "$ctr" "$pod"
}

cleanup_cgroups() {
  local m c
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
  for c in "${cgroups[@]}"; do rmdir "$c" 2>/dev/null || true; done
}

# build_programs: the launcher ($launch) and the allocation programs, into $work; c_label names
# the C compiler. With PREBUILT=DIR they are copied from DIR, where an earlier build_programs put
# them (hack/cgroup-v2-guest.sh matrix: the guest has no compilers).
build_programs() {
  python="$(python3 -c 'import sys; print(sys.executable)')" # past any pyenv shim
  node="$(command -v node)"
  if [[ -n ${PREBUILT:-} ]]; then
    cp -r "$PREBUILT"/. "$work/"
    launch="$work/launch"
    c_label="$(cat "$work/c-label")"
    return
  fi
  bash "$repo/src/launcher/build.sh" "$work/build" >/dev/null
  launch="$work/build/launcher/linux-$(go env GOARCH)/launch"
  c_label="C (gcc $(gcc -dumpversion), glibc malloc)"
  gcc -O1 -o "$work/alloc" "$assets/alloc.c"
  gcc -O1 -static -o "$work/alloc-static" "$assets/alloc.c"
  (cd "$repo/src/launcher" && CGO_ENABLED=0 go build -o "$work/alloc-go" ./testdata/alloc &&
    CGO_ENABLED=0 go build -o "$work/churn-go" ./testdata/churn)
  "$java_home/bin/javac" -d "$work" "$assets/Alloc.java"
}

# Programs that grow by 1 MiB (or small blocks) at a time, as a leak does (issue 16).
growing_shapes=(c-mmap c-brk py-list py-one go node java)

# shape_cmd SHAPE TARGET_MiB: the rlimit kind auto picks (as or data) and the command.
shape_cmd() {
  local t="$2"
  case "$1" in
    c-mmap) echo "as $work/alloc-static $t 1024" ;;
    c-brk) echo "as $work/alloc-static $t 1" ;;
    py-list) echo "as $python $assets/alloc.py $t 1024" ;;
    py-one) echo "as $python $assets/alloc.py $t 1024 one" ;;
    go) echo "data $work/alloc-go $t 1024" ;;
    node) echo "data $node $assets/alloc.js $t 1024" ;;
    java) echo "data $java_home/bin/java -Xmx$((2 * t))m -XX:ErrorFile=$work/hs_err_%p.log -cp $work Alloc $t 1024" ;;
    *) echo "unknown shape $1" >&2; return 1 ;;
  esac
}

shape_label() {
  case "$1" in
    c-mmap) echo "static C, malloc + touch 1 MiB at a time" ;;
    c-brk) echo "static C, 1 KiB mallocs (brk heap)" ;;
    py-list) echo "python, list of 1 MiB bytearrays" ;;
    py-one) echo "python, one bytearray grown by 1 MiB" ;;
    go) echo "Go, 1 MiB slices kept" ;;
    node) echo "node, 1 MiB Buffers kept" ;;
    java) echo "java, 1 MiB arrays kept, -Xmx twice the limit" ;;
  esac
}
