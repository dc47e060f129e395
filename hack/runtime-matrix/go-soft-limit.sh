#!/usr/bin/env bash
# Which GOMEMLIMIT share of the rlimit lets a Go program with a steady live set and churn survive
# (issue 14). A static Go program (src/launcher/testdata/churn) holds LIVE MiB and allocates 200
# buffers of CHURN MiB in a memory cgroup of LIMIT MiB, through the launcher (mode auto: data), with
# GOMEMLIMIT = share x the rlimit the launcher sets; "off" is the launcher without a soft limit and
# "none" the program without the launcher. Prints outcome and wall time per case, REPEAT times.
#
#   sudo bash hack/runtime-matrix/go-soft-limit.sh
#   LIMIT=512 LIVES="300 400" SHARES="0.9" sudo bash hack/runtime-matrix/go-soft-limit.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
source "$repo/hack/runtime-matrix/lib.sh"
limit="${LIMIT:-1024}"
read -r -a lives <<<"${LIVES:-600 700 800 850 900}"
read -r -a churns <<<"${CHURNS:-8 64}"
read -r -a shares <<<"${SHARES:-none off 0.8 0.85 0.9 0.95 1}"
repeat="${REPEAT:-2}"

[[ $(id -u) == 0 ]] || { echo "go-soft-limit: needs root" >&2; exit 1; }
find_parent_cgroup || { echo "go-soft-limit: no memory cgroup" >&2; exit 1; }
work="$(mktemp -d /tmp/go-soft-limit.XXXXXX)"
trap 'cleanup_cgroups; rm -rf "$work"' EXIT
(cd "$repo/src/launcher" && CGO_ENABLED=0 go build -trimpath -o "$work/launch" . && CGO_ENABLED=0 go build -o "$work/churn" ./testdata/churn)
cg="$cg_parent/rlimit-injector-go-soft-limit-$$"
new_cgroup "$cg" $((limit << 20))
# The rlimit the launcher sets here, from its verbose line.
rlimit=$(RLIMIT_INJECTOR_VERBOSE=1 RLIMIT_INJECTOR_MODE=data join_cgroup "$cg" "$work/launch" -- true 2>&1 | sed -n 's/.*RLIMIT_DATA=\([0-9]*\).*/\1/p')

echo "| limit MiB | live MiB | churn MiB | GOMEMLIMIT | outcomes (wall s) |"
echo "|---|---|---|---|---|"
for live in "${lives[@]}"; do
  for churn in "${churns[@]}"; do
    for share in "${shares[@]}"; do
      cells=()
      for ((i = 0; i < repeat; i++)); do
        before=$(oom_kills "$cg")
        wrap=("$work/launch" --) soft=(RLIMIT_INJECTOR_GO_SOFT_LIMIT=off)
        case "$share" in
          none) wrap=() ;;
          off) ;;
          *) soft=(GOMEMLIMIT="$(awk -v r="$rlimit" -v s="$share" 'BEGIN {printf "%d", r * s}')") ;;
        esac
        start=$(date +%s.%N)
        set +e
        env "${soft[@]}" timeout -k 5 120 sh -c 'echo $$ > "$0" && exec "$@"' "$cg/cgroup.procs" \
          "${wrap[@]}" "$work/churn" "$live" 200 "$churn" >"$work/out" 2>"$work/err"
        rc=$?
        set -e
        secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
        if (($(oom_kills "$cg") > before)); then cells+=("OOM-killed ($secs)")
        elif ((rc == 0)); then cells+=("ok ($secs)")
        elif ((rc == 124)); then cells+=("timeout")
        elif grep -q 'out of memory' "$work/err"; then cells+=("fatal error: out of memory ($secs)")
        else cells+=("exit $rc ($secs)")
        fi
      done
      shown="$share x rlimit"
      [[ $share != none ]] || shown="no launcher"
      [[ $share != off ]] || shown="launcher, none"
      echo "| $limit | $live | $churn | $shown | $(IFS=,; echo "${cells[*]}" | sed 's/,/, /g') |"
    done
  done
done
