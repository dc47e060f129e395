package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// launchBin is the launcher built once for the integration tests.
var launchBin string

func TestMain(m *testing.M) {
	// The cgroup v2 guest has no Go toolchain: hack/cgroup-v2-guest.sh brings the launcher built.
	if bin := os.Getenv("RLIMIT_INJECTOR_TEST_LAUNCHER"); bin != "" {
		launchBin = bin
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "launch-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	launchBin = filepath.Join(dir, "launch")
	build := exec.Command("go", "build", "-trimpath", "-o", launchBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the launcher: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireOrSkip is the one place that decides between skipping and failing a
// test whose environment is missing: CI sets RLIMIT_INJECTOR_NO_SKIP=1 so that
// a machine without root or memory cgroups cannot pass by skipping.
func requireOrSkip(t *testing.T, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("RLIMIT_INJECTOR_NO_SKIP") == "1" {
		t.Fatalf("cannot run: %s (RLIMIT_INJECTOR_NO_SKIP=1 turns this skip into a failure)", reason)
	}
	t.Skip(reason)
}

func requireRoot(t *testing.T) {
	requireOrSkip(t, os.Geteuid() == 0, "needs root")
}

// cleanEnv is the test's environment without the launcher's own inputs, so that
// a developer's shell settings cannot change the results.
func cleanEnv(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case envMemoryLimit, envMode, envRatio, envVerbose, envGoSoft, envArenas, envGoMemLimit:
			continue
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}

// launch runs the launcher with args and the given extra env and returns
// stdout, stderr and the exit code.
func launch(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(launchBin, args...)
	cmd.Env = cleanEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running launcher: %v", err)
	}
	return stdout.String(), stderr.String(), code
}

// vectorRows reads a tab-separated file of examples that the webhook's tests read
// too (src/test/resources), without comments and blank lines, each row with at
// least min columns.
func vectorRows(t *testing.T, file string, min int) [][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) < min {
			t.Fatalf("%s: %q: want %d tab-separated columns", file, line, min)
		}
		rows = append(rows, c)
	}
	if err := sc.Err(); err != nil || len(rows) < 10 {
		t.Fatalf("read %d rows from %s: %v", len(rows), file, err)
	}
	return rows
}
