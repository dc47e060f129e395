package main

// Tests in a real memory cgroup (root only): the original experiment, where an
// over-allocating Python is OOM-killed without the launcher and gets
// MemoryError with it. The test cgroup is a child of the test's own cgroup, so
// it stays inside whatever limits and accounting the test runs under.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

type testCgroup struct {
	dir       string
	version   int
	eventFile string // where oom_kill is counted
}

var cgroupSeq atomic.Int32

// newTestCgroup creates a memory cgroup limited to limitBytes (no swap) and
// removes it when the test ends.
func newTestCgroup(t *testing.T, limitBytes uint64) *testCgroup {
	t.Helper()
	requireRoot(t)
	sys := system{root: "/"}
	cg, _ := sys.read("/proc/self/cgroup")
	mi, _ := sys.read("/proc/self/mountinfo")
	v1Path, v2Path, hasV2 := parseProcCgroup(cg)
	mounts := parseMountinfo(mi)
	name := fmt.Sprintf("rlimit-injector-test-%d-%d", os.Getpid(), cgroupSeq.Add(1))
	limit := strconv.FormatUint(limitBytes, 10)

	var c *testCgroup
	var setupErr error
	if v1Path != "" {
		if parent, _, ok := cgroupDir(mounts, v1Path, func(m mount) bool { return m.fstype == "cgroup" && hasOption(m.superOpts, "memory") }); ok {
			c = &testCgroup{dir: filepath.Join(parent, name), version: 1}
			c.eventFile = filepath.Join(c.dir, "memory.oom_control")
			setupErr = c.setup(map[string]string{"memory.limit_in_bytes": limit}, "memory.memsw.limit_in_bytes", limit)
		}
	}
	if c == nil && hasV2 {
		parent, _, ok := cgroupDir(mounts, v2Path, func(m mount) bool { return m.fstype == "cgroup2" })
		ctrl, _ := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control"))
		if ok && strings.Contains(string(ctrl), "memory") {
			c = &testCgroup{dir: filepath.Join(parent, name), version: 2}
			c.eventFile = filepath.Join(c.dir, "memory.events")
			setupErr = c.setup(map[string]string{"memory.max": limit}, "memory.swap.max", "0")
		} else {
			requireOrSkip(t, false, "cgroup v2 without the memory controller delegated to "+parent)
		}
	}
	if c == nil {
		requireOrSkip(t, false, "no memory cgroup found for this process")
	}
	if setupErr != nil {
		os.Remove(c.dir)
		requireOrSkip(t, false, "cannot set up a memory cgroup: "+setupErr.Error())
	}
	removeAtEnd(t, c.dir)
	return c
}

// removeAtEnd removes the cgroup dir when the test ends, once its processes are gone.
func removeAtEnd(t *testing.T, dir string) {
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if err := os.Remove(dir); err == nil || os.IsNotExist(err) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("could not remove %s", dir)
	})
}

func (c *testCgroup) setup(files map[string]string, optional, optValue string) error {
	if err := os.Mkdir(c.dir, 0o755); err != nil {
		return err
	}
	for name, v := range files {
		if err := os.WriteFile(filepath.Join(c.dir, name), []byte(v), 0o644); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	// Swap, where it is accounted, must not let the program dodge the limit.
	if p := filepath.Join(c.dir, optional); fileExists(p) {
		if err := os.WriteFile(p, []byte(optValue), 0o644); err != nil {
			return fmt.Errorf("%s: %w", optional, err)
		}
	}
	return nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func (c *testCgroup) oomKills(t *testing.T) int {
	data, err := os.ReadFile(c.eventFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, _ := strings.Cut(line, " "); k == "oom_kill" {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatalf("no oom_kill counter in %s", c.eventFile)
	return 0
}

// run starts argv inside the cgroup: a shell joins it, then execs argv, so
// nothing of argv ever runs outside.
func (c *testCgroup) run(t *testing.T, env []string, argv ...string) (stdout, stderr string, ws syscall.WaitStatus) {
	t.Helper()
	args := append([]string{"-c", `echo $$ > "$0" && exec "$@"`, filepath.Join(c.dir, "cgroup.procs")}, argv...)
	cmd := exec.Command("sh", args...)
	cmd.Env = cleanEnv(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	cmd.Wait()
	return out.String(), errb.String(), cmd.ProcessState.Sys().(syscall.WaitStatus)
}

func realPython(t *testing.T) string {
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	requireOrSkip(t, err == nil, "python3 is not installed")
	return strings.TrimSpace(string(out))
}

// The experiment the product starts from: 4000 MiB in a 1 GiB cgroup.
const allocPython = "b = bytearray(4000 << 20)\nprint('allocated', len(b))"

func TestCgroupOOMWithoutLauncher(t *testing.T) {
	python := realPython(t)
	c := newTestCgroup(t, 1<<30)
	before := c.oomKills(t)
	_, stderr, ws := c.run(t, nil, python, "-c", allocPython)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("want SIGKILL from the OOM killer, got %v (stderr %q)", ws, stderr)
	}
	if after := c.oomKills(t); after <= before {
		t.Errorf("oom_kill counter %d -> %d, want it to go up", before, after)
	}
}

func TestCgroupMemoryErrorThroughLauncher(t *testing.T) {
	python := realPython(t)
	c := newTestCgroup(t, 1<<30)
	before := c.oomKills(t)
	// No RLIMIT_INJECTOR_MEMORY_LIMIT: the limit must come from the cgroup.
	_, stderr, ws := c.run(t, []string{envVerbose + "=1"}, launchBin, "--", python, "-c", allocPython)
	if ws.Signaled() || ws.ExitStatus() != 1 || !strings.Contains(stderr, "MemoryError") {
		t.Fatalf("want exit 1 with MemoryError, got %v, stderr %q", ws, stderr)
	}
	want := fmt.Sprintf("limit %d from cgroup v%d %s", 1<<30, c.version, c.dir)
	if !strings.Contains(stderr, want) {
		t.Errorf("verbose line should say %q: %q", want, stderr)
	}
	if after := c.oomKills(t); after != before {
		t.Errorf("oom_kill counter %d -> %d, want no OOM kill", before, after)
	}
}

// A limit set only on a parent cgroup (v1: hierarchical_memory_limit) is found too.
func TestCgroupParentOnlyLimit(t *testing.T) {
	parent := newTestCgroup(t, 512<<20)
	child := &testCgroup{dir: filepath.Join(parent.dir, "child"), version: parent.version}
	if err := os.Mkdir(child.dir, 0o755); err != nil {
		requireOrSkip(t, false, "cannot create a nested cgroup: "+err.Error())
	}
	t.Cleanup(func() { os.Remove(child.dir) }) // runs before the parent's cleanup
	out, stderr, ws := child.run(t, []string{envMode + "=data"}, launchBin, "--", "sh", "-c", "ulimit -d")
	if want := strconv.FormatUint(rlimitFor(512<<20, 1)>>10, 10); ws.ExitStatus() != 0 || strings.TrimSpace(out) != want {
		t.Errorf("got %q (%v, stderr %q), want RLIMIT_DATA %s KiB for the parent's 512 MiB", out, ws, stderr, want)
	}
}

// A value the launcher cannot use never stops the program (issue 22): in a real
// memory cgroup the program runs with what is left (the cgroup's limit, or no
// rlimit under the floor), prints its output, and stderr has one line saying why.
func TestCgroupUnusableValuesStillRun(t *testing.T) {
	python := realPython(t)
	c := newTestCgroup(t, 256<<20)
	cgroupAS := strconv.FormatUint(rlimitFor(256<<20, 1)>>10, 10) + " unlimited"
	const none = "unlimited unlimited"
	tests := []struct {
		env  string
		want string // ulimit -v, ulimit -d (KiB)
		says string
	}{
		{envRatio + "=abc", cgroupAS, `ignoring RLIMIT_INJECTOR_RATIO="abc"`},
		{envRatio + "=NaN", cgroupAS, `ignoring RLIMIT_INJECTOR_RATIO="NaN"`},
		{envRatio + "=Inf", cgroupAS, `ignoring RLIMIT_INJECTOR_RATIO="Inf"`},
		{envRatio + "=2", cgroupAS, `ignoring RLIMIT_INJECTOR_RATIO="2"`},
		{envRatio + "=-1", cgroupAS, `ignoring RLIMIT_INJECTOR_RATIO="-1"`},
		{envRatio + "=0", cgroupAS, `ignoring RLIMIT_INJECTOR_RATIO="0"`},
		{envRatio + "=1e-6", none, "no RLIMIT_AS: limit 268435456 x ratio 1e-06 is below the floor"},
		{envGoSoft + "=0.9", cgroupAS, `ignoring RLIMIT_INJECTOR_GO_SOFT_LIMIT="0.9"`},
		{envMode + "=rss", cgroupAS, `ignoring RLIMIT_INJECTOR_MODE="rss"`},
		{envMemoryLimit + "=garbage", cgroupAS, `ignoring RLIMIT_INJECTOR_MEMORY_LIMIT="garbage"`},
		{envMemoryLimit + "=-1", cgroupAS, `ignoring RLIMIT_INJECTOR_MEMORY_LIMIT="-1"`},
		{envMemoryLimit + "=max", cgroupAS, `ignoring RLIMIT_INJECTOR_MEMORY_LIMIT="max"`},
		{envMemoryLimit + "=4096", none, "no RLIMIT_AS: limit 4096 x ratio 1 is below the floor"},
	}
	for _, tc := range tests {
		t.Run(tc.env, func(t *testing.T) {
			out, stderr, ws := c.run(t, []string{tc.env}, launchBin, "--", "sh", "-c", `echo ran; echo $(ulimit -v) $(ulimit -d)`)
			if ws.ExitStatus() != 0 || out != "ran\n"+tc.want+"\n" {
				t.Errorf("got %q (%v), want ran and %q; stderr %q", out, ws, tc.want, stderr)
			}
			if !strings.HasPrefix(stderr, "rlimit-injector: warning: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.says) {
				t.Errorf("stderr %q, want one line with %q", stderr, tc.says)
			}
		})
	}

	// python3 too: under the few bytes a ratio of 1e-6 gave it would not start.
	out, stderr, ws := c.run(t, []string{envRatio + "=0.000001"}, launchBin, "--", python, "-c", "print('ran')")
	if ws.ExitStatus() != 0 || out != "ran\n" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "below the floor") {
		t.Errorf("python3 with ratio 1e-6: %q (%v), stderr %q", out, ws, stderr)
	}
}

// A Go program needs about 40 MiB of RLIMIT_DATA just to start: in a 40 MiB
// container the launcher sets none (the floor), and the program runs.
func TestCgroupSmallContainerGoStarts(t *testing.T) {
	c := newTestCgroup(t, 40<<20)
	out, stderr, ws := c.run(t, nil, launchBin, "--", launchBin, "--version")
	if ws.ExitStatus() != 0 || !strings.HasPrefix(out, "rlimit-injector launcher ") {
		t.Fatalf("the Go program did not run: %q (%v), stderr %q", out, ws, stderr)
	}
	if want := "no RLIMIT_DATA: limit 41943040 x ratio 1 is below the floor"; strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want one line with %q", stderr, want)
	}
}
