package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	good := []struct {
		args []string
		want command
	}{
		{[]string{"--", "java", "-jar", "a b", "", "--"}, command{kind: cmdRun, argv: []string{"java", "-jar", "a b", "", "--"}}},
		{[]string{"--", "--install", "x"}, command{kind: cmdRun, argv: []string{"--install", "x"}}},
		{[]string{"--install", "/rlimit-injector"}, command{kind: cmdInstall, dir: "/rlimit-injector"}},
		{[]string{"--version"}, command{kind: cmdVersion}},
	}
	for _, tc := range good {
		got, err := parseArgs(tc.args)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseArgs(%q) = %+v, %v; want %+v", tc.args, got, err, tc.want)
		}
	}
	for _, args := range [][]string{nil, {"--"}, {"--", ""}, {"java"}, {"--install"}, {"--install", "a", "b"}, {"-v", "--", "x"}} {
		if _, err := parseArgs(args); err == nil {
			t.Errorf("parseArgs(%q) accepted", args)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("parseArgs(%q) error is not one line: %q", args, err)
		}
	}
}

func TestParseRatio(t *testing.T) {
	for raw, want := range map[string]float64{"": 1, "1": 1, "1.0": 1, "0.9": 0.9, " 0.5 ": 0.5, "1e-3": 0.001} {
		if got, err := parseRatio(raw); err != nil || got != want {
			t.Errorf("parseRatio(%q) = %v, %v; want %v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"0", "-0.5", "1.01", "NaN", "Inf", "half", "90%"} {
		if _, err := parseRatio(raw); err == nil {
			t.Errorf("parseRatio(%q) accepted", raw)
		}
	}
}

func TestMakePlan(t *testing.T) {
	noCgroup := system{root: t.TempDir()} // no proc files: only the env var counts
	base := []string{"PATH=/usr/bin:/bin", envMemoryLimit + "=1073741824"}
	argv := []string{"sh", "-c", "true"}
	const rl = 1065353216 // 1 GiB less the headroom (8 MiB)

	tests := []struct {
		name       string
		env        []string
		code       int
		mode       mode
		target     uint64
		arenaAdded bool
	}{
		{"as adds MALLOC_ARENA_MAX", append(base, envMode+"=as"), 0, modeAS, rl, true},
		{"as keeps the user's MALLOC_ARENA_MAX", append(base, envMode+"=as", "MALLOC_ARENA_MAX=8"), 0, modeAS, rl, false},
		{"as keeps an empty MALLOC_ARENA_MAX", append(base, envMode+"=as", "MALLOC_ARENA_MAX="), 0, modeAS, rl, false},
		{"data", append(base, envMode+"=data"), 0, modeData, rl, false},
		{"ratio", append(base, envMode+"=data", envRatio+"=0.5"), 0, modeData, rl / 2, false},
		{"off", append(base, envMode+"=off"), 0, modeOff, 0, false},
		{"auto on sh is as", base, 0, modeAS, rl, true},
		{"no limit: exec only", []string{"PATH=/usr/bin:/bin", envMode + "=as"}, 0, modeAS, 0, false},
		{"bad mode", append(base, envMode+"=rss"), exitBadSettings, "", 0, false},
		{"bad ratio", append(base, envRatio+"=2"), exitBadSettings, modeAuto, 0, false},
		{"bad Go soft limit switch", append(base, envGoSoft+"=0.9"), exitBadSettings, modeAuto, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _, code, err := makePlan(argv, tc.env, noCgroup)
			if code != tc.code || (err != nil) != (tc.code != 0) {
				t.Fatalf("code %d err %v; want code %d", code, err, tc.code)
			}
			if err != nil {
				return
			}
			if p.mode != tc.mode || p.target != tc.target {
				t.Errorf("mode %q target %d; want %q %d", p.mode, p.target, tc.mode, tc.target)
			}
			if added := len(p.env) == len(tc.env)+1 && p.env[len(p.env)-1] == "MALLOC_ARENA_MAX=2"; added != tc.arenaAdded {
				t.Errorf("MALLOC_ARENA_MAX added = %v, want %v (env %q)", added, tc.arenaAdded, p.env)
			}
			if !reflect.DeepEqual(p.argv, argv) {
				t.Errorf("argv changed: %q", p.argv)
			}
		})
	}

	_, _, code, _ := makePlan([]string{"no-such-program-here"}, base, noCgroup)
	if code != exitNotFound {
		t.Errorf("missing program: code %d, want %d", code, exitNotFound)
	}
}

// A Go program gets GOMEMLIMIT below the rlimit, unless it sets its own or the
// switch is off; other programs never do. The launcher itself is a Go binary.
func TestMakePlanGoSoftLimit(t *testing.T) {
	noCgroup := system{root: t.TempDir()}
	base := []string{"PATH=/usr/bin:/bin", envMemoryLimit + "=1073741824"}
	tests := []struct {
		name    string
		program string
		env     []string
		added   string // what the plan adds to the environment
		says    string // in the verbose line
	}{
		{"Go program", launchBin, base, "GOMEMLIMIT=958817894", "GOMEMLIMIT=958817894 set"},
		{"of the ratio", launchBin, append(base, envRatio+"=0.5"), "GOMEMLIMIT=479408947", "GOMEMLIMIT=479408947 set"},
		{"as mode: also the arenas", launchBin, append(base, envMode+"=as"), "MALLOC_ARENA_MAX=2 GOMEMLIMIT=958817894", "GOMEMLIMIT=958817894 set"},
		{"the user's own is kept", launchBin, append(base, "GOMEMLIMIT=100MiB"), "", "GOMEMLIMIT kept"},
		{"an empty one too", launchBin, append(base, "GOMEMLIMIT="), "", "GOMEMLIMIT kept"},
		{"switched off", launchBin, append(base, envGoSoft+"=OFF"), "", "GOMEMLIMIT not set (" + envGoSoft + "=off)"},
		{"switched on", launchBin, append(base, envGoSoft+"=on"), "GOMEMLIMIT=958817894", "GOMEMLIMIT=958817894 set"},
		{"not a Go program", "/bin/sh", append(base, envMode+"=data"), "", ""},
		{"no limit", launchBin, []string{"PATH=/usr/bin:/bin"}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _, code, err := makePlan([]string{tc.program}, tc.env, noCgroup)
			if err != nil {
				t.Fatalf("code %d: %v", code, err)
			}
			if added := strings.Join(p.env[len(tc.env):], " "); added != tc.added {
				t.Errorf("added %q, want %q", added, tc.added)
			}
			if !reflect.DeepEqual(p.env[:len(tc.env)], tc.env) {
				t.Errorf("environment changed: %q", p.env)
			}
			if got := p.describe(); (tc.says == "") != !strings.Contains(got, "GOMEMLIMIT") || !strings.Contains(got, tc.says) {
				t.Errorf("describe = %q, want it to say %q", got, tc.says)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	p := plan{mode: modeData, why: "/usr/bin/java is a JVM", ratio: 0.9, target: 900, set: 800,
		limit: limit{bytes: 1000, from: "cgroup v2 /sys/fs/cgroup/memory.max"}}
	got := p.describe()
	for _, want := range []string{"limit 1000 from cgroup v2 /sys/fs/cgroup/memory.max", "headroom 500", "ratio 0.9", "RLIMIT_DATA=800 (capped by the existing hard limit; wanted 900)", "mode data (auto: /usr/bin/java is a JVM)"} {
		if !strings.Contains(got, want) {
			t.Errorf("describe = %q, missing %q", got, want)
		}
	}
}
