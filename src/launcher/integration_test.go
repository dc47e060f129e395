package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestExitCodePassesThrough(t *testing.T) {
	for _, want := range []int{0, 1, 42, 255} {
		_, stderr, code := launch(t, nil, "--", "sh", "-c", "exit "+strconv.Itoa(want))
		if code != want || stderr != "" {
			t.Errorf("exit %d: got %d, stderr %q", want, code, stderr)
		}
	}
}

func TestSamePID(t *testing.T) {
	cmd := exec.Command(launchBin, "--", "sh", "-c", "echo $$")
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("program pid %s, launcher pid %d: the launcher forked", got, cmd.Process.Pid)
	}
}

func TestSIGTERMReachesProgram(t *testing.T) {
	cmd := exec.Command(launchBin, "--", "sh", "-c", `trap 'exit 43' TERM; echo ready; while :; do sleep 0.05; done`)
	cmd.Env = cleanEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("read %q, %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("program did not exit after SIGTERM")
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 43 {
		t.Errorf("want exit 43 from the TERM trap, got %v", err)
	}
}

func TestArgumentsPassThroughUntouched(t *testing.T) {
	args := []string{"a b", "", "--", "-x", "--install", "--version", "  spaced  ", "quote\"s", "$HOME", "*"}
	script := `for a in "$@"; do printf '[%s]\n' "$a"; done`
	out, stderr, code := launch(t, nil, append([]string{"--", "sh", "-c", script, "sh"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var want strings.Builder
	for _, a := range args {
		want.WriteString("[" + a + "]\n")
	}
	if out != want.String() {
		t.Errorf("got\n%s\nwant\n%s", out, want.String())
	}
}

func TestNotFoundAndNotExecutable(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\necho hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badInterp := filepath.Join(dir, "bad-interp")
	if err := os.WriteFile(badInterp, []byte("#!/no/such/interpreter\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env  []string
		args []string
		code int
	}{
		{nil, []string{"--", "no-such-program-rlimit-injector"}, exitNotFound},
		{nil, []string{"--", filepath.Join(dir, "missing")}, exitNotFound},
		{nil, []string{"--", plain}, exitNotExecutable},
		{[]string{"PATH=" + dir}, []string{"--", "plain"}, exitNotExecutable},
		{nil, []string{"--", dir}, exitNotExecutable},
		{nil, []string{"--", badInterp}, exitNotFound}, // execve ENOENT, as runc reports it
		{nil, []string{"sh"}, exitUsage},
		{nil, []string{"--"}, exitUsage},
		{nil, nil, exitUsage},
	}
	for _, tc := range tests {
		_, stderr, code := launch(t, tc.env, tc.args...)
		if code != tc.code {
			t.Errorf("%q %q: exit %d, want %d (stderr %q)", tc.env, tc.args, code, tc.code, stderr)
		}
		if !strings.HasPrefix(stderr, "rlimit-injector: ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q %q: want one rlimit-injector: line, got %q", tc.env, tc.args, stderr)
		}
		if want := fmt.Sprintf("(the command's own fault; exit %d, as a shell would)\n", tc.code); tc.code != exitUsage && !strings.HasSuffix(stderr, want) {
			t.Errorf("%q %q: the line should end %q: %q", tc.env, tc.args, want, stderr)
		}
	}
}

func TestLimitIsSet(t *testing.T) {
	limitEnv := envMemoryLimit + "=1073741824"
	tests := []struct {
		env  []string
		want string // ulimit -v (KiB), ulimit -d (KiB), MALLOC_ARENA_MAX; 1016 MiB is 1 GiB less the headroom
	}{
		{[]string{limitEnv, envMode + "=as"}, "1040384 unlimited 2"},
		{[]string{limitEnv, envMode + "=as", "MALLOC_ARENA_MAX=4"}, "1040384 unlimited 4"},
		{[]string{limitEnv, envMode + "=data"}, "unlimited 1040384 -"},
		{[]string{limitEnv, envMode + "=data", envRatio + "=0.5"}, "unlimited 520192 -"},
		{[]string{limitEnv, envMode + "=off"}, "unlimited unlimited -"},
		{[]string{limitEnv}, "1040384 unlimited 2"}, // auto: sh is neither JVM, Node nor Go
		{[]string{envMemoryLimit + "=garbage", envMode + "=as"}, ""},
	}
	for _, tc := range tests {
		out, stderr, code := launch(t, tc.env, "--", "sh", "-c", `echo $(ulimit -v) $(ulimit -d) ${MALLOC_ARENA_MAX:--}`)
		if tc.want == "" { // garbage env: warned about, then the program still runs
			if code != 0 || !strings.Contains(stderr, "warning: ignoring "+envMemoryLimit) {
				t.Errorf("garbage limit: exit %d, stderr %q", code, stderr)
			}
			continue
		}
		if code != 0 || strings.TrimSpace(out) != tc.want || stderr != "" {
			t.Errorf("%q: got %q (exit %d, stderr %q), want %q", tc.env, out, code, stderr, tc.want)
		}
	}
}

func TestNeverRaisesHardLimit(t *testing.T) {
	// dash and bash set soft and hard with plain ulimit -v. 896 MiB: the Go
	// runtime of the launcher itself needs about 700 MiB of address space to start.
	script := `ulimit -v 917504 && exec "$0" -- sh -c 'ulimit -H -v'`
	out, stderr, code := launch(t, []string{envMemoryLimit + "=1073741824", envMode + "=as", envVerbose + "=1"}, "--", "sh", "-c", script, launchBin)
	if code != 0 || strings.TrimSpace(out) != "917504" {
		t.Errorf("got %q exit %d stderr %q; want the existing hard limit 917504 KiB kept", out, code, stderr)
	}
	if !strings.Contains(stderr, "capped by the existing hard limit") {
		t.Errorf("verbose line does not say it was capped: %q", stderr)
	}
}

func TestVerboseLine(t *testing.T) {
	_, stderr, code := launch(t, []string{envMemoryLimit + "=1073741824", envRatio + "=0.5", envVerbose + "=1"}, "--", "true")
	want := "rlimit-injector: limit 1073741824 from env " + envMemoryLimit + "; headroom 8388608; ratio 0.5; RLIMIT_AS=532676608; mode as (auto: "
	if code != 0 || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("got %q (exit %d), want one line starting %q", stderr, code, want)
	}
}

func TestVersion(t *testing.T) {
	out, _, code := launch(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "rlimit-injector launcher ") {
		t.Errorf("got %q exit %d", out, code)
	}
}

func TestInstall(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := launch(t, nil, "--install", dir); code != 0 {
		t.Fatalf("install: exit %d %s", code, stderr)
	}
	dst := filepath.Join(dir, "launch")
	st, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755", st.Mode())
	}
	want, _ := os.ReadFile(launchBin)
	got, _ := os.ReadFile(dst)
	if string(got) != string(want) {
		t.Error("installed file differs from the launcher")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}
	// Installing again over an existing copy works (init containers restart).
	if _, stderr, code := launch(t, nil, "--install", dir); code != 0 {
		t.Fatalf("second install: exit %d %s", code, stderr)
	}
	if out, err := exec.Command(dst, "--", "echo", "ok").Output(); err != nil || string(out) != "ok\n" {
		t.Errorf("installed launcher: %q %v", out, err)
	}

	_, stderr, code := launch(t, nil, "--install", filepath.Join(dir, "missing"))
	if code != exitInstallFailed || !strings.HasPrefix(stderr, "rlimit-injector: install: ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("missing dir: exit %d stderr %q", code, stderr)
	}
}

// TestInstallReadOnly uses a read-only mount: permission bits do not stop root.
func TestInstallReadOnly(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_RDONLY, "size=1m"); err != nil {
		requireOrSkip(t, false, "cannot mount a read-only tmpfs: "+err.Error())
	}
	defer syscall.Unmount(dir, 0)
	_, stderr, code := launch(t, nil, "--install", dir)
	if code != exitInstallFailed || !strings.Contains(stderr, "read-only file system") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("read-only mount: exit %d stderr %q", code, stderr)
	}
}

// TestInstallAsNonRoot is the init container's situation: uid 65532 and a
// directory it cannot write.
func TestInstallAsNonRoot(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir() // 0700 root: not writable for 65532
	binDir := t.TempDir()
	bin := filepath.Join(binDir, "launch")
	data, _ := os.ReadFile(launchBin)
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(binDir, 0o755)
	writable := t.TempDir()
	os.Chmod(writable, 0o777)
	run := func(target string) (string, int) {
		cmd := exec.Command(bin, "--install", target)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	os.Chmod(filepath.Dir(dir), 0o755) // make the path traversable, the dir itself stays 0700
	if out, code := run(dir); code != exitInstallFailed || !strings.Contains(out, "permission denied") {
		t.Errorf("unwritable dir as 65532: exit %d %q", code, out)
	}
	if out, code := run(writable); code != 0 {
		t.Errorf("writable dir as 65532: exit %d %q", code, out)
	} else if st, err := os.Stat(filepath.Join(writable, "launch")); err != nil || st.Sys().(*syscall.Stat_t).Uid != 65532 {
		t.Errorf("installed file: %v %v", st, err)
	}
}

// TestTinyAddressSpaceLimit: the launcher's own Go runtime holds far more
// address space than a small RLIMIT_AS allows, so nothing between setrlimit
// and execve may map memory. Repeated because a failure there is a race.
func TestTinyAddressSpaceLimit(t *testing.T) {
	big := "BIG=" + strings.Repeat("x", 60000) // env copies are the largest allocation in exec
	for i := 0; i < 100; i++ {
		_, stderr, code := launch(t, []string{big, envVerbose + "=1", envMode + "=as", envMemoryLimit + "=67108864"}, "--", "true", "a", "b")
		if code != 0 {
			t.Fatalf("run %d: exit %d, stderr %.300q", i, code, stderr)
		}
	}
}
