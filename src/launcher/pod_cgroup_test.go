package main

// Tests in a pod's memory cgroup shaped like the kubelet's (root only): a program
// that grows a little at a time must get its own allocation error before the
// pod cgroup, which is also charged kernel memory and the launcher's copy,
// OOM-kills it (issue 16); and a Go program with a live set and churn survives
// with the soft limit the launcher gives it (issue 14).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// matrixDir holds the allocation programs of hack/runtime-matrix.sh, shared with these tests.
const matrixDir = "../../hack/runtime-matrix"

type podCgroup struct {
	pod, ctr *testCgroup
	launch   string // the launcher's copy in the emptyDir
}

// newPodCgroup makes a pod cgroup and a container cgroup under it, both limited
// to limitBytes as the kubelet does for a one-container pod, and installs the
// launcher into a tmpfs (an emptyDir with medium: Memory) from a cgroup under
// the pod's, as the init container does, so that the pod is charged for the copy.
func newPodCgroup(t *testing.T, limitBytes uint64) *podCgroup {
	t.Helper()
	pod := newTestCgroup(t, limitBytes)
	ctr := &testCgroup{dir: filepath.Join(pod.dir, "c"), version: pod.version}
	limit := strconv.FormatUint(limitBytes, 10)
	var err error
	if pod.version == 1 {
		ctr.eventFile = filepath.Join(ctr.dir, "memory.oom_control")
		err = ctr.setup(map[string]string{"memory.limit_in_bytes": limit}, "memory.memsw.limit_in_bytes", limit)
	} else {
		ctr.eventFile = filepath.Join(ctr.dir, "memory.events")
		if err = os.WriteFile(filepath.Join(pod.dir, "cgroup.subtree_control"), []byte("+memory"), 0o644); err == nil {
			err = ctr.setup(map[string]string{"memory.max": limit}, "memory.swap.max", "0")
		}
	}
	if err != nil {
		os.Remove(ctr.dir)
		requireOrSkip(t, false, "cannot set up a container cgroup under a pod cgroup: "+err.Error())
	}
	t.Cleanup(func() { os.Remove(ctr.dir) }) // runs before the pod's cleanup

	emptyDir := t.TempDir()
	if err := syscall.Mount("tmpfs", emptyDir, "tmpfs", 0, "size=8m"); err != nil {
		requireOrSkip(t, false, "cannot mount a tmpfs: "+err.Error())
	}
	t.Cleanup(func() { syscall.Unmount(emptyDir, 0) })
	// The init container's own cgroup, under the pod's (cgroup v2 allows no
	// process in a cgroup that has children with controllers); its charges stay
	// with the pod when it is removed.
	init := &testCgroup{dir: filepath.Join(pod.dir, "init"), version: pod.version}
	if err := os.Mkdir(init.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, ws := init.run(t, nil, launchBin, "--install", emptyDir)
	if err := os.Remove(init.dir); err != nil || ws.ExitStatus() != 0 {
		t.Fatalf("install into the emptyDir: %v %s; removing its cgroup: %v", ws, stderr, err)
	}
	return &podCgroup{pod: pod, ctr: ctr, launch: filepath.Join(emptyDir, "launch")}
}

// oomKills counts the OOM kills of the pod: cgroup v1 counts a kill in the
// victim's cgroup only, v2 in its ancestors too; either way the sum moves.
func (p *podCgroup) oomKills(t *testing.T) int {
	return p.pod.oomKills(t) + p.ctr.oomKills(t)
}

// growth is a program that grows to twice the limit, a little at a time, and
// what it prints when an allocation fails.
type growth struct {
	name   string
	argv   func(limitMiB int) []string
	errors []string // any one of them
}

// growingShapes are the shapes of issue 16, built or found here, the static C
// ones first; a missing runtime skips (fails in CI).
func growingShapes(t *testing.T) []growth {
	dir := t.TempDir()
	cc := filepath.Join(dir, "alloc")
	out, err := exec.Command("gcc", "-O1", "-static", "-o", cc, filepath.Join(matrixDir, "alloc.c")).CombinedOutput()
	requireOrSkip(t, err == nil, "cannot build a static C program with gcc: "+string(out))
	goAlloc := buildTestdata(t, dir, "alloc", "alloc-go")
	python := realPython(t)
	node, err := exec.LookPath("node")
	requireOrSkip(t, err == nil, "node is not installed")
	javaHome := javaHome(t)
	out, err = exec.Command(filepath.Join(javaHome, "bin", "javac"), "-d", dir, filepath.Join(matrixDir, "Alloc.java")).CombinedOutput()
	requireOrSkip(t, err == nil, "cannot compile Alloc.java: "+string(out))

	twice := func(mib int) string { return strconv.Itoa(2 * mib) }
	return []growth{
		{"static C, 1 MiB mallocs", func(m int) []string { return []string{cc, twice(m), "1024"} }, []string{"ERROR malloc-NULL"}},
		{"static C, 1 KiB mallocs (brk heap)", func(m int) []string { return []string{cc, twice(m), "1"} }, []string{"ERROR malloc-NULL"}},
		{"python, list of 1 MiB bytearrays", func(m int) []string {
			return []string{python, filepath.Join(matrixDir, "alloc.py"), twice(m), "1024"}
		}, []string{"ERROR MemoryError"}},
		{"python, one growing bytearray", func(m int) []string {
			return []string{python, filepath.Join(matrixDir, "alloc.py"), twice(m), "1024", "one"}
		}, []string{"ERROR MemoryError"}},
		// Go words its death by where the allocation failed: the heap, the OS, or the arena's own metadata. Go 1.26's
		// collector can also fault on a mapping it failed to get (once in CI, 256 MiB: a SIGSEGV in
		// runtime.(*spanQueue).tryDrain): still Go's own traceback and exit 2, not the OOM killer.
		{"Go, 1 MiB slices", func(m int) []string { return []string{goAlloc, twice(m), "1024"} }, []string{"fatal error: runtime: out of memory",
			"fatal error: runtime: cannot allocate memory", "fatal error: out of memory allocating heap arena metadata",
			"SIGSEGV: segmentation violation\nPC="}},
		{"node, 1 MiB buffers", func(m int) []string {
			return []string{node, filepath.Join(matrixDir, "alloc.js"), twice(m), "1024"}
		}, []string{"ERROR RangeError", "FATAL ERROR: "}}, // V8 aborts when its own heap cannot grow
		{"java, -Xmx twice the limit", func(m int) []string {
			return []string{filepath.Join(javaHome, "bin", "java"), "-Xmx" + twice(m) + "m", "-XX:ErrorFile=" + dir + "/hs_err_%p.log",
				"-cp", dir, "Alloc", twice(m), "1024"}
		}, []string{"ERROR OutOfMemoryError", "insufficient memory for the Java Runtime Environment"}}, // a failed commit outside the heap
	}
}

// buildTestdata builds the Go program in testdata/name, statically, as dir/out.
func buildTestdata(t *testing.T, dir, name, out string) string {
	bin := filepath.Join(dir, out)
	build := exec.Command("go", "build", "-o", bin, "./testdata/"+name)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building testdata/%s: %v\n%s", name, err, out)
	}
	return bin
}

func javaHome(t *testing.T) string {
	java, err := exec.LookPath("java")
	requireOrSkip(t, err == nil, "java is not installed")
	resolved, err := filepath.EvalSymlinks(java)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(resolved))
}

// At the default settings every growing shape ends in its own allocation error,
// never in the pod cgroup's OOM kill: all of them at 256 MiB, and the static C
// ones, which need the most headroom, also at 64 MiB and 1 GiB.
func TestPodGrowingShapesGetTheirOwnError(t *testing.T) {
	shapes := growingShapes(t)
	for _, limitMiB := range []int{64, 256, 1024} {
		for i, g := range shapes {
			if limitMiB != 256 && i >= 2 {
				break
			}
			t.Run(fmt.Sprintf("%s in %d MiB", g.name, limitMiB), func(t *testing.T) {
				p := newPodCgroup(t, uint64(limitMiB)<<20)
				before := p.oomKills(t)
				stdout, stderr, ws := p.ctr.run(t, nil, append([]string{p.launch, "--"}, g.argv(limitMiB)...)...)
				ownError := false
				for _, e := range g.errors {
					ownError = ownError || strings.Contains(stdout+stderr, e)
				}
				if !ownError || ws.ExitStatus() == 0 || (ws.Signaled() && ws.Signal() == syscall.SIGKILL) {
					t.Errorf("want one of %q and a failure other than SIGKILL, got %v, stdout %q, stderr %.500q", g.errors, ws, stdout, stderr)
				}
				if after := p.oomKills(t); after != before {
					t.Errorf("pod oom_kill %d -> %d, want no OOM kill", before, after)
				}
			})
		}
	}
}

// Without the headroom, an rlimit equal to the limit, the static C shapes are
// OOM-killed by the pod cgroup: the case the headroom exists for.
func TestPodGrowingWithoutHeadroomIsOOMKilled(t *testing.T) {
	const limitMiB = 256
	for _, g := range growingShapes(t)[:2] {
		t.Run(g.name, func(t *testing.T) {
			p := newPodCgroup(t, limitMiB<<20)
			before := p.oomKills(t)
			argv := append([]string{"sh", "-c", `ulimit -v ` + strconv.Itoa(limitMiB<<10) + ` && exec "$@"`, "sh"}, g.argv(limitMiB)...)
			_, stderr, ws := p.ctr.run(t, nil, argv...)
			if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Errorf("want SIGKILL from the OOM killer, got %v (stderr %q)", ws, stderr)
			}
			if after := p.oomKills(t); after <= before {
				t.Errorf("pod oom_kill %d -> %d, want it to go up", before, after)
			}
		})
	}
}

// The seed's other half: 900 MiB really used in a 1 GiB pod still runs to completion.
func TestPod900MiBIn1GiBCompletes(t *testing.T) {
	python := realPython(t)
	p := newPodCgroup(t, 1<<30)
	stdout, stderr, ws := p.ctr.run(t, []string{envVerbose + "=1"}, p.launch, "--", python, filepath.Join(matrixDir, "alloc.py"), "900", "1024")
	if ws.ExitStatus() != 0 || !strings.Contains(stdout, "OK allocated 900 MiB") {
		t.Errorf("want 900 MiB allocated, got %v, stdout %q, stderr %q", ws, stdout, stderr)
	}
}

// Issue 14: a static Go program holding a live set and churning 8 MiB buffers
// in a 1 GiB cgroup is killed without a soft limit and finishes with the one
// the launcher sets. Whether the heap outgrows the limit before a collection
// ends is a race (with 700 MiB live, 1 run in 8 survived without the launcher),
// so a failing case is tried up to 3 times; the soft limit must win every time.
func TestGoSoftLimitLetsALiveSetSurvive(t *testing.T) {
	churn := buildTestdata(t, t.TempDir(), "churn", "churn")
	c := newTestCgroup(t, 1<<30)
	argv := []string{churn, "700", "400", "8"}
	dies := func(name string, env []string, argv []string, died func(syscall.WaitStatus, string, int) bool) {
		var last string
		for i := 0; i < 3; i++ {
			before := c.oomKills(t)
			_, stderr, ws := c.run(t, env, argv...)
			if died(ws, stderr, c.oomKills(t)-before) {
				return
			}
			last = fmt.Sprintf("%v, stderr %.300q", ws, stderr)
		}
		t.Errorf("%s: want it to die in one of 3 runs, the last ended %s", name, last)
	}
	dies("without the launcher", nil, argv, func(ws syscall.WaitStatus, _ string, ooms int) bool {
		return ws.Signaled() && ws.Signal() == syscall.SIGKILL && ooms > 0
	})
	dies("launcher without the soft limit", []string{envGoSoft + "=off"}, append([]string{launchBin, "--"}, argv...),
		func(ws syscall.WaitStatus, stderr string, ooms int) bool {
			// Where the allocation fails decides Go's words: "runtime: out of memory", or "out of memory allocating
			// heap arena metadata" when it is the arena's metadata that no longer fits under the rlimit.
			return ws.ExitStatus() == 2 && strings.Contains(stderr, "fatal error:") &&
				strings.Contains(stderr, "out of memory") && ooms == 0
		})
	for i := 0; i < 3; i++ {
		before := c.oomKills(t)
		stdout, stderr, ws := c.run(t, []string{envVerbose + "=1"}, append([]string{launchBin, "--"}, argv...)...)
		if ws.ExitStatus() != 0 || !strings.HasPrefix(stdout, "OK 700 MiB live") || !strings.Contains(stderr, "GOMEMLIMIT=") {
			t.Errorf("launcher with the soft limit, run %d: want it to finish, got %v, stdout %q, stderr %.300q", i, ws, stdout, stderr)
		}
		if after := c.oomKills(t); after != before {
			t.Errorf("oom_kill %d -> %d with the soft limit", before, after)
		}
	}
}
