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
		{"bad mode: auto", append(base, envMode+"=rss"), 0, modeAS, rl, true},
		{"bad ratio: 1", append(base, envMode+"=data", envRatio+"=2"), 0, modeData, rl, false},
		{"below the floor: exec only", append(base, envMode+"=as", envRatio+"=1e-6"), 0, modeAS, 0, false},
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
		{"an unusable switch is on", launchBin, append(base, envGoSoft+"=0.9"), "GOMEMLIMIT=958817894", "GOMEMLIMIT=958817894 set"},
		{"under the floor: none", launchBin, append(base, envRatio+"=1e-6"), "", ""},
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

// A setting the launcher cannot use never stops the program: it is ignored
// with exactly one line saying what and why, and the plan carries on with the
// default in its place (issue 22).
func TestUnusableSettingsAreIgnored(t *testing.T) {
	noCgroup := system{root: t.TempDir()}
	base := []string{"PATH=/usr/bin:/bin", envMemoryLimit + "=1073741824"}
	const rl = 1065353216 // 1 GiB less the headroom, ratio 1
	tests := []struct {
		env    []string
		mode   mode
		ratio  float64
		target uint64
		says   string // the one warning
	}{
		{[]string{envRatio + "=abc"}, modeAS, 1, rl, envRatio + `="abc": want a number with 0 < r <= 1; using 1`},
		{[]string{envRatio + "=NaN"}, modeAS, 1, rl, envRatio + `="NaN"`},
		{[]string{envRatio + "=Inf"}, modeAS, 1, rl, envRatio + `="Inf"`},
		{[]string{envRatio + "=-Inf"}, modeAS, 1, rl, envRatio + `="-Inf"`},
		{[]string{envRatio + "=0"}, modeAS, 1, rl, envRatio + `="0"`},
		{[]string{envRatio + "=-0.5"}, modeAS, 1, rl, envRatio + `="-0.5"`},
		{[]string{envRatio + "=1.5"}, modeAS, 1, rl, envRatio + `="1.5"`},
		{[]string{envRatio + "=1e309"}, modeAS, 1, rl, envRatio + `="1e309"`},
		{[]string{envRatio + "=90%"}, modeAS, 1, rl, envRatio + `="90%"`},
		{[]string{envRatio + "=0.5\n"}, modeAS, 0.5, rl / 2, ""}, // surrounding space is fine
		{[]string{envMode + "=rss"}, modeAS, 1, rl, envMode + `="rss": want auto, as, data or off; using auto`},
		{[]string{envMode + "=as\ndata"}, modeAS, 1, rl, envMode + `="as\ndata"`},
		{[]string{envGoSoft + "=0.9"}, modeAS, 1, rl, envGoSoft + `="0.9": want on or off; using on`},
		{[]string{envRatio + "=1e-6"}, modeAS, 1e-6, 0, "no RLIMIT_AS: limit 1073741824 x ratio 1e-06 is below the floor of"},
		{[]string{envMode + "=data", envRatio + "=0.000001"}, modeData, 1e-6, 0, "no RLIMIT_DATA: limit 1073741824 x ratio 1e-06 is below the floor of"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.env, " "), func(t *testing.T) {
			environ := append(append([]string(nil), base...), tc.env...)
			p, warnings, code, err := makePlan([]string{"sh", "-c", "true"}, environ, noCgroup)
			if err != nil || code != 0 {
				t.Fatalf("code %d: %v", code, err)
			}
			if p.mode != tc.mode || p.ratio != tc.ratio || p.target != tc.target {
				t.Errorf("mode %q ratio %v target %d; want %q %v %d", p.mode, p.ratio, p.target, tc.mode, tc.ratio, tc.target)
			}
			if tc.says == "" {
				if len(warnings) != 0 {
					t.Errorf("warnings %q, want none", warnings)
				}
				return
			}
			if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "warning: ") || !strings.Contains(warnings[0], tc.says) || strings.Contains(warnings[0], "\n") {
				t.Errorf("warnings %q, want one line with %q", warnings, tc.says)
			}
			if tc.target == 0 && len(p.env) != len(environ) {
				t.Errorf("no rlimit, yet the environment grew: %q", p.env[len(environ):])
			}
		})
	}
}
