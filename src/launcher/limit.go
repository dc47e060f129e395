package main

// Memory limit resolution: the downward API env var, cgroup v2 and cgroup v1.
// Every source is optional; the smallest valid limit wins, and none at all
// means "no limit" (the launcher then only execs).

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

const envMemoryLimit = "RLIMIT_INJECTOR_MEMORY_LIMIT"

// v1Unlimited is what cgroup v1 reports for "no limit" (LONG_MAX rounded down to a page).
const v1Unlimited = 9223372036854771712

// system is where the launcher reads kernel files. root is "/" in production;
// tests point it at a fixture tree holding proc/self/cgroup, proc/self/mountinfo,
// proc/meminfo and the cgroup files under the mount points named in mountinfo.
type system struct {
	root string
}

func (s system) path(p string) string { return filepath.Join(s.root, p) }

func (s system) read(p string) (string, error) {
	b, err := os.ReadFile(s.path(p))
	return string(b), err
}

// limit is a resolved memory budget. bytes == 0 means unlimited.
type limit struct {
	bytes uint64
	from  string   // the winning source, e.g. "cgroup v1 /sys/fs/cgroup/memory/memory.limit_in_bytes"
	seen  []string // every source looked at, for the verbose line
}

// resolveLimit returns the smallest valid limit and warnings about values it ignored.
func resolveLimit(getenv func(string) string, sys system) (limit, []string) {
	var lim limit
	var warnings []string
	phys := sys.memTotal()
	consider := func(from string, v uint64) {
		if v == 0 || v >= v1Unlimited || (phys > 0 && v >= phys) {
			lim.seen = append(lim.seen, from+"=unlimited")
			return
		}
		lim.seen = append(lim.seen, fmt.Sprintf("%s=%d", from, v))
		if lim.bytes == 0 || v < lim.bytes {
			lim.bytes, lim.from = v, from
		}
	}

	// A garbage value is ignored, not fatal: the launcher must not break a pod
	// over a value it can replace with another source's limit, or none.
	if raw := getenv(envMemoryLimit); raw != "" {
		v, err := strconv.ParseUint(strings.TrimSpace(raw), 10, 64)
		if err != nil || v == 0 {
			warnings = append(warnings, ignoring(fmt.Errorf("%s=%q: not a positive byte count", envMemoryLimit, raw), "the cgroup limit"))
		} else {
			consider("env "+envMemoryLimit, v)
		}
	}
	fromFiles := func(version string, rs []reading) {
		for _, r := range rs {
			if v, ok := parseCgroupValue(r.raw); ok {
				consider("cgroup "+version+" "+r.file, v)
			} else {
				warnings = append(warnings, ignoring(fmt.Errorf("%s=%q: not a byte count or max", r.file, r.raw), "the other limits"))
			}
		}
	}

	cg, _ := sys.read("/proc/self/cgroup")
	mi, _ := sys.read("/proc/self/mountinfo")
	v1Path, v2Path, hasV2 := parseProcCgroup(cg)
	mounts := parseMountinfo(mi)

	if hasV2 {
		if dir, top, ok := cgroupDir(mounts, v2Path, func(m mount) bool { return m.fstype == "cgroup2" }); ok {
			fromFiles("v2", sys.v2Limits(dir, top))
		}
	}
	if v1Path != "" {
		if dir, _, ok := cgroupDir(mounts, v1Path, func(m mount) bool { return m.fstype == "cgroup" && hasOption(m.superOpts, "memory") }); ok {
			fromFiles("v1", sys.v1Limits(dir))
		}
	}
	return lim, warnings
}

type reading struct {
	file string
	raw  string
}

// v2Limits reads memory.max from dir up to the mount point: a parent's limit
// binds the child but does not show in the child's own file.
func (s system) v2Limits(dir, top string) []reading {
	var out []reading
	for {
		f := filepath.Join(dir, "memory.max")
		if raw, err := s.read(f); err == nil {
			out = append(out, reading{f, raw})
		}
		if dir == top || dir == "/" || dir == "." {
			return out
		}
		dir = filepath.Dir(dir)
	}
}

// v1Limits reads the cgroup's own limit and hierarchical_memory_limit, which
// carries a limit set only on an ancestor.
func (s system) v1Limits(dir string) []reading {
	var out []reading
	f := filepath.Join(dir, "memory.limit_in_bytes")
	if raw, err := s.read(f); err == nil {
		out = append(out, reading{f, raw})
	}
	f = filepath.Join(dir, "memory.stat")
	if raw, err := s.read(f); err == nil {
		for _, line := range strings.Split(raw, "\n") {
			if k, val, _ := strings.Cut(line, " "); k == "hierarchical_memory_limit" {
				out = append(out, reading{f + " hierarchical_memory_limit", val})
			}
		}
	}
	return out
}

// parseCgroupValue reads a cgroup limit file; "max" is unlimited (0).
func parseCgroupValue(raw string) (uint64, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "max" {
		return 0, true
	}
	v, err := strconv.ParseUint(raw, 10, 64)
	return v, err == nil
}

// memTotal is physical memory: a "limit" at or above it limits nothing
// (the downward API reports node allocatable when a container has no limit).
func (s system) memTotal() uint64 {
	if raw, err := s.read("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(strings.NewReader(raw))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					return kb * 1024
				}
			}
		}
	}
	if s.root != "/" {
		return 0 // fixture without meminfo: do not mix in the host's memory
	}
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

// parseProcCgroup extracts the memory controller's path on v1 and the unified path on v2.
func parseProcCgroup(data string) (v1 string, v2 string, hasV2 bool) {
	for _, line := range strings.Split(data, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2, hasV2 = parts[2], true
			continue
		}
		if hasOption(parts[1], "memory") {
			v1 = parts[2]
		}
	}
	return v1, v2, hasV2
}

type mount struct {
	root      string // path inside the cgroup hierarchy that is mounted
	point     string
	fstype    string
	superOpts string
}

// parseMountinfo reads /proc/self/mountinfo (see proc(5)); the optional
// fields end at a lone "-".
func parseMountinfo(data string) []mount {
	var out []mount
	for _, line := range strings.Split(data, "\n") {
		f := strings.Fields(line)
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+3 >= len(f) {
			continue
		}
		out = append(out, mount{
			root:      unescapeMount(f[3]),
			point:     unescapeMount(f[4]),
			fstype:    f[sep+1],
			superOpts: f[sep+3],
		})
	}
	return out
}

// unescapeMount undoes the octal escapes (\040 for space) of mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cgroupDir maps a cgroup path from /proc/self/cgroup to a directory under a
// matching mount. In a container the mount root is often the container's own
// cgroup (or the namespace makes the path "/"), so the path is taken relative to it.
// It returns the directory and the mount point, which bounds the walk up.
func cgroupDir(mounts []mount, cgPath string, match func(mount) bool) (dir, top string, ok bool) {
	var fallback *mount
	for i := range mounts {
		m := mounts[i]
		if !match(m) {
			continue
		}
		if rel, inside := relCgroup(m.root, cgPath); inside {
			return filepath.Join(m.point, rel), m.point, true
		}
		if fallback == nil {
			fallback = &mounts[i]
		}
	}
	if fallback != nil {
		// Path outside the mounted subtree (e.g. a namespaced "/.."): the mount
		// point is the closest view of our own cgroup.
		return fallback.point, fallback.point, true
	}
	return "", "", false
}

func relCgroup(root, p string) (string, bool) {
	root, p = filepath.Clean(root), filepath.Clean(p)
	if strings.HasPrefix(p, "/..") {
		return "", false
	}
	if root == "/" {
		return p, true
	}
	if p == root {
		return "/", true
	}
	if strings.HasPrefix(p, root+"/") {
		return strings.TrimPrefix(p, root), true
	}
	return "", false
}

func hasOption(list, opt string) bool {
	for _, o := range strings.Split(list, ",") {
		if o == opt {
			return true
		}
	}
	return false
}
