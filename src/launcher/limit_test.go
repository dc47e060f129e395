package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	gib      = 1 << 30
	meminfo  = "MemTotal:       16777216 kB\nMemFree:         1000 kB\n" // 16 GiB
	v2Mount  = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
	v1Mounts = "24 23 0:21 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n" +
		"35 24 0:32 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory\n" +
		"36 24 0:33 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
)

// fixture writes files under a temp root and returns the system reading it.
func fixture(t *testing.T, files map[string]string) system {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return system{root: root}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestResolveLimit(t *testing.T) {
	v2Tree := map[string]string{
		"proc/meminfo":                              meminfo,
		"proc/self/cgroup":                          "0::/kubepods/pod1/c1\n",
		"proc/self/mountinfo":                       v2Mount,
		"sys/fs/cgroup/kubepods/pod1/c1/memory.max": "max\n",
		"sys/fs/cgroup/kubepods/pod1/memory.max":    "536870912\n",
		"sys/fs/cgroup/kubepods/memory.max":         "1073741824\n",
	}
	v1Tree := map[string]string{
		"proc/meminfo":        meminfo,
		"proc/self/cgroup":    "5:cpu,cpuacct:/x\n4:memory:/kubepods/pod1/c1\n0::/\n",
		"proc/self/mountinfo": v1Mounts,
		"sys/fs/cgroup/memory/kubepods/pod1/c1/memory.limit_in_bytes": "9223372036854771712\n",
		"sys/fs/cgroup/memory/kubepods/pod1/c1/memory.stat":           "cache 0\nrss 4096\nhierarchical_memory_limit 268435456\nhierarchical_memsw_limit 9223372036854771712\n",
	}
	tests := []struct {
		name     string
		files    map[string]string
		env      func(string) string
		want     uint64
		fromHas  string
		warnings int
	}{
		{"env only", map[string]string{"proc/meminfo": meminfo}, env(envMemoryLimit, "1073741824"), gib, "env", 0},
		{"nothing", map[string]string{"proc/meminfo": meminfo}, env(), 0, "", 0},
		{"v2 nested: smallest up the tree", v2Tree, env(), 512 << 20, "kubepods/pod1/memory.max", 0},
		{"v2 with env smaller", v2Tree, env(envMemoryLimit, "268435456"), 256 << 20, "env", 0},
		{"v2 with env larger", v2Tree, env(envMemoryLimit, "1073741824"), 512 << 20, "cgroup v2", 0},
		{"v2 namespaced root", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/\n", "proc/self/mountinfo": v2Mount,
			"sys/fs/cgroup/memory.max": "1073741824\n",
		}, env(), gib, "/sys/fs/cgroup/memory.max", 0},
		{"v2 max everywhere", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/a\n", "proc/self/mountinfo": v2Mount,
			"sys/fs/cgroup/a/memory.max": "max\n",
		}, env(), 0, "", 0},
		{"v1 hierarchical limit from a parent", v1Tree, env(), 256 << 20, "hierarchical_memory_limit", 0},
		{"v1 own limit", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/\n", "proc/self/mountinfo": v1Mounts,
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "1073741824\n",
		}, env(), gib, "memory.limit_in_bytes", 0},
		{"v1 container bind mount of own cgroup", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/docker/abc\n",
			"proc/self/mountinfo":                        "35 24 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n",
		}, env(), 512 << 20, "/sys/fs/cgroup/memory/memory.limit_in_bytes", 0},
		{"v1 unlimited", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/\n", "proc/self/mountinfo": v1Mounts,
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
		}, env(), 0, "", 0},
		{"at or above physical memory is unlimited", map[string]string{"proc/meminfo": meminfo},
			env(envMemoryLimit, "17179869184"), 0, "", 0},
		{"garbage env ignored, cgroup used", v1Tree, env(envMemoryLimit, "1Gi"), 256 << 20, "cgroup v1", 1},
		{"zero env ignored", v1Tree, env(envMemoryLimit, "0"), 256 << 20, "cgroup v1", 1},
		{"negative env ignored", v1Tree, env(envMemoryLimit, "-1"), 256 << 20, "cgroup v1", 1},
		{"max env ignored", v1Tree, env(envMemoryLimit, "max"), 256 << 20, "cgroup v1", 1},
		{"blank env ignored", v1Tree, env(envMemoryLimit, " \n"), 256 << 20, "cgroup v1", 1},
		{"env past 64 bits ignored", v1Tree, env(envMemoryLimit, "18446744073709551616"), 256 << 20, "cgroup v1", 1},
		{"garbage cgroup file ignored", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "0::/\n", "proc/self/mountinfo": v2Mount,
			"sys/fs/cgroup/memory.max": "lots\n",
		}, env(envMemoryLimit, "1073741824"), gib, "env", 1},
		{"garbage v1 hierarchical limit ignored", map[string]string{
			"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/\n", "proc/self/mountinfo": v1Mounts,
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n",
			"sys/fs/cgroup/memory/memory.stat":           "hierarchical_memory_limit -5\n",
		}, env(), 512 << 20, "memory.limit_in_bytes", 1},
		{"no proc files at all", map[string]string{}, env(envMemoryLimit, "1073741824"), gib, "env", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, warnings := resolveLimit(tc.env, fixture(t, tc.files))
			if got.bytes != tc.want {
				t.Errorf("bytes = %d, want %d (seen %v)", got.bytes, tc.want, got.seen)
			}
			if !strings.Contains(got.from, tc.fromHas) {
				t.Errorf("from = %q, want it to contain %q", got.from, tc.fromHas)
			}
			if len(warnings) != tc.warnings {
				t.Errorf("warnings = %q, want %d", warnings, tc.warnings)
			}
			for _, w := range warnings {
				if !strings.HasPrefix(w, "warning: ignoring ") || strings.Contains(w, "\n") {
					t.Errorf("warning %q: want one line saying what is ignored", w)
				}
			}
		})
	}
}

func TestParseMountinfo(t *testing.T) {
	data := "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n" +
		"garbage line\n" +
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	got := parseMountinfo(data)
	if len(got) != 2 {
		t.Fatalf("got %d mounts: %+v", len(got), got)
	}
	want := mount{root: "/mnt1", point: "/mnt/with space", fstype: "ext3", superOpts: "rw,errors=continue"}
	if got[0] != want {
		t.Errorf("got %+v, want %+v", got[0], want)
	}
	if got[1].fstype != "cgroup2" || got[1].point != "/sys/fs/cgroup/unified" {
		t.Errorf("got %+v", got[1])
	}
}

func TestParseProcCgroup(t *testing.T) {
	v1, v2, hasV2 := parseProcCgroup("9:name=systemd:/\n4:memory:/process_api/x\n1:cpu:/\n0::/\n")
	if v1 != "/process_api/x" || v2 != "/" || !hasV2 {
		t.Errorf("got v1=%q v2=%q hasV2=%v", v1, v2, hasV2)
	}
	v1, _, hasV2 = parseProcCgroup("0::/user.slice/app\n")
	if v1 != "" || !hasV2 {
		t.Errorf("pure v2: got v1=%q hasV2=%v", v1, hasV2)
	}
}

func TestCgroupDirOutsideMountFallsBack(t *testing.T) {
	mounts := parseMountinfo("35 24 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n")
	isV1 := func(m mount) bool { return m.fstype == "cgroup" }
	if dir, _, _ := cgroupDir(mounts, "/docker/abc/sub", isV1); dir != "/sys/fs/cgroup/memory/sub" {
		t.Errorf("inside: %q", dir)
	}
	if dir, _, _ := cgroupDir(mounts, "/../other", isV1); dir != "/sys/fs/cgroup/memory" {
		t.Errorf("outside: %q", dir)
	}
	if _, _, ok := cgroupDir(mounts, "/", func(m mount) bool { return m.fstype == "cgroup2" }); ok {
		t.Error("no cgroup2 mount should give ok=false")
	}
}
