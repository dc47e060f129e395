//go:build cgroupv2guest

package main

// The launcher under a real cgroup v2 memory controller. This machine binds its
// memory controller to cgroup v1, so these tests run in the QEMU guest of
// hack/cgroup-v2-guest.sh (`hack/cgroup-v2-guest.sh test`): a cgroup2-only
// kernel, the test binary as root in the root cgroup, swap on a RAM disk. Built
// only with -tags cgroupv2guest; anywhere else they would fail, not skip.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const cgroupRoot = "/sys/fs/cgroup"

// The guest must be what these tests claim to measure: cgroup v2 only, memory
// controller on, swap present. Otherwise every other test here proves nothing.
func TestCgroupV2Guest(t *testing.T) {
	cg, _ := os.ReadFile("/proc/self/cgroup")
	if strings.TrimSpace(string(cg)) != "0::/" {
		t.Fatalf("/proc/self/cgroup = %q, want only the v2 line 0::/ (the guest's root cgroup)", cg)
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	for _, m := range parseMountinfo(string(mi)) {
		if m.fstype == "cgroup" {
			t.Errorf("a cgroup v1 hierarchy is mounted at %s", m.point)
		}
	}
	if ctrl, _ := os.ReadFile(filepath.Join(cgroupRoot, "cgroup.subtree_control")); !strings.Contains(string(ctrl), "memory") {
		t.Errorf("memory controller not enabled for the root's children: %q", ctrl)
	}
	if swaps, _ := os.ReadFile("/proc/swaps"); strings.Count(string(swaps), "\n") < 2 {
		t.Errorf("no swap in the guest (/proc/swaps %q)", swaps)
	}
}

// v2Cgroup creates a cgroup under parent with the interface files written in
// order ("memory.max=268435456"), and removes it when the test ends. Swap is
// off unless the files say otherwise.
func v2Cgroup(t *testing.T, parent string, files ...string) *testCgroup {
	t.Helper()
	// A child gets memory.* files only if its parent hands the controller down.
	if err := os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("+memory"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &testCgroup{dir: filepath.Join(parent, fmt.Sprintf("v2-test-%d", cgroupSeq.Add(1))), version: 2}
	c.eventFile = filepath.Join(c.dir, "memory.events")
	if err := os.Mkdir(c.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	removeAtEnd(t, c.dir)
	for _, kv := range append([]string{"memory.swap.max=0"}, files...) {
		name, v, _ := strings.Cut(kv, "=")
		if err := os.WriteFile(filepath.Join(c.dir, name), []byte(v), 0o644); err != nil {
			t.Fatalf("%s: %v", kv, err)
		}
	}
	return c
}

const mib = 1 << 20

func bytesOf(n uint64) string { return strconv.FormatUint(n, 10) }

var resolvedRE = regexp.MustCompile(`rlimit-injector: limit (\d+) from ([^;]+);`)

// resolved reads the limit and its source from the launcher's verbose line;
// limit 0 means the launcher said it found none.
func resolved(t *testing.T, stderr string) (uint64, string) {
	t.Helper()
	if strings.Contains(stderr, "rlimit-injector: no memory limit found") {
		return 0, ""
	}
	m := resolvedRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no verbose limit line in %q", stderr)
	}
	v, _ := strconv.ParseUint(m[1], 10, 64)
	return v, m[2]
}

// dataLimit runs `ulimit -d` through the launcher (mode data) in c and returns
// the launcher's resolved limit, its source and the RLIMIT_DATA the program got
// ("unlimited" or bytes).
func dataLimit(t *testing.T, c *testCgroup, env ...string) (uint64, string, string) {
	t.Helper()
	out, stderr, ws := c.run(t, append([]string{envVerbose + "=1", envMode + "=data"}, env...), launchBin, "--", "sh", "-c", "ulimit -d")
	if ws.ExitStatus() != 0 {
		t.Fatalf("exit %v, stderr %q", ws, stderr)
	}
	lim, from := resolved(t, stderr)
	got := strings.TrimSpace(out)
	if kib, err := strconv.ParseUint(got, 10, 64); err == nil {
		got = bytesOf(kib * 1024)
	}
	return lim, from, got
}

// checkLimit asserts the resolved limit and its source, and the program's
// RLIMIT_DATA: the budget for that limit, or unlimited for none.
func checkLimit(t *testing.T, c *testCgroup, want uint64, wantFrom string, env ...string) {
	t.Helper()
	lim, from, got := dataLimit(t, c, env...)
	if lim != want || from != wantFrom {
		t.Errorf("limit %d from %q, want %d from %q", lim, from, want, wantFrom)
	}
	if want == 0 {
		if got != "unlimited" {
			t.Errorf("no limit anywhere, yet RLIMIT_DATA = %s", got)
		}
		return
	}
	if budget := bytesOf(rlimitFor(want, 1) &^ 1023); got != budget { // ulimit counts whole KiB
		t.Errorf("RLIMIT_DATA = %s, want %s for the limit %d", got, budget, want)
	}
}

// (a) The seed's experiment on v2: one program, the same cgroup, the limit
// only in memory.max. Without the launcher the kernel kills it; through the
// launcher it gets MemoryError and the OOM killer stays idle.
func TestCgroupV2SeedExperiment(t *testing.T) {
	python := realPython(t)
	c := v2Cgroup(t, cgroupRoot, "memory.max="+bytesOf(256*mib))

	before := c.oomKills(t)
	_, stderr, ws := c.run(t, nil, python, "-c", allocPython)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("without the launcher: want SIGKILL, got %v (stderr %q)", ws, stderr)
	}
	if after := c.oomKills(t); after != before+1 {
		t.Errorf("without the launcher: oom_kill %d -> %d, want one OOM kill", before, after)
	}

	before = c.oomKills(t)
	_, stderr, ws = c.run(t, []string{envVerbose + "=1"}, launchBin, "--", python, "-c", allocPython)
	if ws.Signaled() || ws.ExitStatus() != 1 || !strings.Contains(stderr, "MemoryError") {
		t.Fatalf("through the launcher: want exit 1 with MemoryError, got %v, stderr %q", ws, stderr)
	}
	if lim, from := resolved(t, stderr); lim != 256*mib || from != "cgroup v2 "+filepath.Join(c.dir, "memory.max") {
		t.Errorf("limit %d from %q, want 256 MiB from the cgroup's memory.max", lim, from)
	}
	if after := c.oomKills(t); after != before {
		t.Errorf("through the launcher: oom_kill %d -> %d, want none", before, after)
	}
}

// containerRun runs argv as a container runtime starts a process: in a cgroup
// namespace whose root is c, with cgroup2 mounted at /sys/fs/cgroup in its own
// mount namespace, so that /sys/fs/cgroup/memory.max is c's own. The program's
// /proc/self/cgroup goes to stderr first. (The host's mount goes first: the
// kernel refuses the same file system twice on one mount point.)
func containerRun(t *testing.T, c *testCgroup, env []string, argv ...string) (string, string, syscall.WaitStatus) {
	t.Helper()
	script := `umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && cat /proc/self/cgroup >&2 && exec "$@"`
	return c.run(t, env, append([]string{"unshare", "--cgroup", "--mount", "sh", "-c", script, "sh"}, argv...)...)
}

// (b) The container's view: the namespace hides every path above the
// container, and the limit is read from /sys/fs/cgroup/memory.max.
func TestCgroupV2ContainerView(t *testing.T) {
	python := realPython(t)
	c := v2Cgroup(t, cgroupRoot, "memory.max="+bytesOf(256*mib))
	before := c.oomKills(t)
	_, stderr, ws := containerRun(t, c, []string{envVerbose + "=1"}, launchBin, "--", python, "-c", allocPython)
	if !strings.HasPrefix(stderr, "0::/\n") {
		t.Fatalf("inside the namespace /proc/self/cgroup should be 0::/, stderr %q", stderr)
	}
	if ws.Signaled() || ws.ExitStatus() != 1 || !strings.Contains(stderr, "MemoryError") {
		t.Fatalf("want exit 1 with MemoryError, got %v, stderr %q", ws, stderr)
	}
	if lim, from := resolved(t, stderr); lim != 256*mib || from != "cgroup v2 /sys/fs/cgroup/memory.max" {
		t.Errorf("limit %d from %q, want 256 MiB from /sys/fs/cgroup/memory.max", lim, from)
	}
	if after := c.oomKills(t); after != before {
		t.Errorf("oom_kill %d -> %d, want none", before, after)
	}
}

// A limit on the pod's cgroup only (pod-level resources) is above the
// container's namespace root, so no file the container can see holds it: the
// launcher finds none and only the env var (downward API) can carry it.
func TestCgroupV2ContainerViewHidesPodLimit(t *testing.T) {
	pod := v2Cgroup(t, cgroupRoot, "memory.max="+bytesOf(256*mib))
	ctr := v2Cgroup(t, pod.dir, "memory.max=max")
	env := []string{envVerbose + "=1", envMode + "=data"}

	out, stderr, ws := containerRun(t, ctr, env, launchBin, "--", "sh", "-c", "ulimit -d")
	if lim, _ := resolved(t, stderr); ws.ExitStatus() != 0 || lim != 0 || strings.TrimSpace(out) != "unlimited" {
		t.Errorf("want no limit found and RLIMIT_DATA unlimited, got %v, limit %d, out %q, stderr %q", ws, lim, out, stderr)
	}
	_, stderr, ws = containerRun(t, ctr, append(env, envMemoryLimit+"="+bytesOf(256*mib)), launchBin, "--", "true")
	if lim, from := resolved(t, stderr); ws.ExitStatus() != 0 || lim != 256*mib || from != "env "+envMemoryLimit {
		t.Errorf("with the env var: want 256 MiB from it, got %v, limit %d from %q", ws, lim, from)
	}
}

// (c) Limits up the tree and the env var: the smallest wins, "max" is none.
func TestCgroupV2SmallestLimitWins(t *testing.T) {
	for _, tc := range []struct {
		name, parent, child, env string
		want                     uint64
		from                     string // "parent", "child" or "env"
	}{
		{"limit on the parent only (pod level)", bytesOf(256 * mib), "max", "", 256 * mib, "parent"},
		{"tighter child", bytesOf(512 * mib), bytesOf(256 * mib), "", 256 * mib, "child"},
		{"tighter parent", bytesOf(256 * mib), bytesOf(512 * mib), "", 256 * mib, "parent"},
		{"max everywhere", "max", "max", "", 0, ""},
		{"env var below the cgroup", "max", bytesOf(256 * mib), bytesOf(128 * mib), 128 * mib, "env"},
		{"env var above the cgroup", bytesOf(256 * mib), "max", bytesOf(512 * mib), 256 * mib, "parent"},
		{"env var, max everywhere", "max", "max", bytesOf(128 * mib), 128 * mib, "env"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := v2Cgroup(t, cgroupRoot, "memory.max="+tc.parent)
			child := v2Cgroup(t, parent.dir, "memory.max="+tc.child)
			var env []string
			if tc.env != "" {
				env = append(env, envMemoryLimit+"="+tc.env)
			}
			from := map[string]string{
				"parent": "cgroup v2 " + filepath.Join(parent.dir, "memory.max"),
				"child":  "cgroup v2 " + filepath.Join(child.dir, "memory.max"),
				"env":    "env " + envMemoryLimit,
			}[tc.from]
			checkLimit(t, child, tc.want, from, env...)
		})
	}
}

// (d) memory.high and memory.swap.max are not limits to the launcher: it reads
// memory.max alone. memory.high only throttles (reclaim, then delays), it never
// kills, so it is no reason for an rlimit; memory.max still is the limit.
func TestCgroupV2MemoryHighIsNotALimit(t *testing.T) {
	c := v2Cgroup(t, cgroupRoot, "memory.high="+bytesOf(128*mib))
	checkLimit(t, c, 0, "")
	c = v2Cgroup(t, cgroupRoot, "memory.max="+bytesOf(256*mib), "memory.high="+bytesOf(128*mib))
	checkLimit(t, c, 256*mib, "cgroup v2 "+filepath.Join(c.dir, "memory.max"))
}

// With swap allowed (memory.swap.max, as Kubernetes' LimitedSwap sets for
// Burstable pods), the cgroup lets a program past memory.max: the excess is
// swapped out. The launcher ignores swap, so through it the same program gets
// MemoryError at memory.max: stricter than the cgroup, never looser.
func TestCgroupV2SwapIsNotCounted(t *testing.T) {
	python := realPython(t)
	c := v2Cgroup(t, cgroupRoot, "memory.max="+bytesOf(256*mib), "memory.swap.max="+bytesOf(512*mib))
	// 448 MiB in touched 64 MiB chunks: past memory.max, within memory.max + swap.
	alloc := "chunks = [bytearray(b'\\x01') * (64 << 20) for _ in range(7)]\nprint('allocated', 64 * len(chunks))"

	before := c.oomKills(t)
	out, stderr, ws := c.run(t, nil, python, "-c", alloc)
	if ws.ExitStatus() != 0 || strings.TrimSpace(out) != "allocated 448" {
		t.Fatalf("without the launcher: want 448 MiB allocated with swap, got %v, out %q, stderr %q", ws, out, stderr)
	}
	if after := c.oomKills(t); after != before {
		t.Errorf("without the launcher: oom_kill %d -> %d, want none", before, after)
	}

	_, stderr, ws = c.run(t, []string{envVerbose + "=1"}, launchBin, "--", python, "-c", alloc)
	if ws.Signaled() || ws.ExitStatus() != 1 || !strings.Contains(stderr, "MemoryError") {
		t.Fatalf("through the launcher: want exit 1 with MemoryError, got %v, stderr %q", ws, stderr)
	}
	if lim, from := resolved(t, stderr); lim != 256*mib || from != "cgroup v2 "+filepath.Join(c.dir, "memory.max") {
		t.Errorf("limit %d from %q, want memory.max's 256 MiB", lim, from)
	}
}
