package main

// Finding and replacing ourselves with the program. The launcher never forks:
// execve keeps the PID, so the program gets the signals and its exit code is
// the container's.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
)

// Exit codes follow the shell for a program that cannot run, and docker run /
// podman for the wrapper's own failures.
const (
	exitInstallFailed = 1
	exitUsage         = 125
	exitNotExecutable = 126
	exitNotFound      = 127
)

// defaultPath is what container runtimes use when the image sets no PATH.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

var (
	errNotFound      = errors.New("not found")
	errNotExecutable = errors.New("not executable")
)

// lookPath finds name the way the runtime does: a name with a slash is used as
// is, anything else is searched in PATH. A match that is not executable is
// remembered so that the error says 126 rather than 127, as a shell would.
func lookPath(name, pathEnv string) (string, error) {
	if strings.Contains(name, "/") {
		return name, checkExecutable(name)
	}
	if pathEnv == "" {
		pathEnv = defaultPath
	}
	var denied string
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		switch err := checkExecutable(p); err {
		case nil:
			return p, nil
		case errNotExecutable:
			if denied == "" {
				denied = p
			}
		}
	}
	if denied != "" {
		return denied, errNotExecutable
	}
	return name, errNotFound
}

func checkExecutable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return errNotFound
		}
		return errNotExecutable
	}
	if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return errNotExecutable
	}
	return nil
}

// exitCodeFor maps a lookPath or execve error to the shell's exit code.
func exitCodeFor(err error) int {
	if errors.Is(err, errNotFound) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		return exitNotFound
	}
	return exitNotExecutable
}

// capToHardLimit lowers want to the current hard limit: raising a hard limit
// needs CAP_SYS_RESOURCE, and a lower existing limit is kept as it is.
func capToHardLimit(resource int, want uint64) uint64 {
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(resource, &cur); err == nil && cur.Max < want {
		return cur.Max
	}
	return want
}

// setLimit sets soft = hard, so the program cannot raise it back.
func setLimit(resource int, v uint64) error {
	return syscall.Setrlimit(resource, &syscall.Rlimit{Cur: v, Max: v})
}

// reserveHeadroom leaves mapped, free heap pages behind so that the few small
// allocations syscall.Exec makes (argv and env copies) are served without
// mmap, then switches garbage collection off so that no collection (whose end
// can allocate runtime metadata) runs under the new limit. The collection
// runs before GC is switched off: with GC off the heap goal is unbounded, and
// a cycle ending like that sets up huge-page metadata, which allocates.
// One P only: a freed span's bookkeeping is cached on the P that freed it, and
// an allocation on another P would map new memory for its own (seen under CPU
// contention, when the goroutine moves between Ps).
func reserveHeadroom() {
	runtime.GOMAXPROCS(1)
	ballast := make([]byte, 8<<20)
	ballast[len(ballast)-1] = 1
	runtime.KeepAlive(ballast)
	ballast = nil
	runtime.GC()
	debug.SetGCPercent(-1)
}
