package main

// Mode selection: which rlimit to set. RLIMIT_AS caps address space, which
// runtimes that reserve large unused ranges (JVM, V8, Go) cannot live with;
// RLIMIT_DATA (Linux >= 4.7) counts only private writable mappings.

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

const envMode = "RLIMIT_INJECTOR_MODE"

type mode string

const (
	modeAuto mode = "auto"
	modeAS   mode = "as"
	modeData mode = "data"
	modeOff  mode = "off"
)

func parseMode(raw string) (mode, error) {
	switch m := mode(strings.ToLower(strings.TrimSpace(raw))); m {
	case "":
		return modeAuto, nil
	case modeAuto, modeAS, modeData, modeOff:
		return m, nil
	}
	return "", fmt.Errorf("%s=%q: want auto, as, data or off", envMode, raw)
}

func (m mode) resource() int {
	if m == modeData {
		return syscall.RLIMIT_DATA
	}
	return syscall.RLIMIT_AS
}

func (m mode) rlimitName() string {
	if m == modeData {
		return "RLIMIT_DATA"
	}
	return "RLIMIT_AS"
}

// autoMode picks data for runtimes that break under RLIMIT_AS and as for the
// rest, and says why. path is the program found on PATH.
func autoMode(path string, getenv func(string) string, pathEnv string) (mode, string) {
	if kind := runtimeKind(path); kind != "" {
		return modeData, fmt.Sprintf("%s is %s", path, kind)
	}
	interp, ok := shebang(path, pathEnv)
	if !ok {
		return modeAS, path + " is not a JVM, Node.js or Go program"
	}
	if kind := runtimeKind(interp); kind != "" {
		return modeData, fmt.Sprintf("%s is a script run by %s, which is %s", path, interp, kind)
	}
	// Images of JVM apps commonly start from a shell script that later execs
	// java; RLIMIT_AS would stop that JVM from starting, RLIMIT_DATA still works
	// for whatever else the script runs.
	if isShell(interp) && getenv("JAVA_HOME") != "" {
		return modeData, fmt.Sprintf("%s is a shell script and JAVA_HOME is set (likely starts a JVM)", path)
	}
	return modeAS, fmt.Sprintf("%s is a script run by %s, not a JVM, Node.js or Go program", path, interp)
}

// runtimeKind names the runtime of an executable, or "" for anything else.
// Both the name as given and the symlink target count: /usr/bin/java links to
// .../bin/java, while an alias like "nodejs" may link to "node".
func runtimeKind(path string) string {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		resolved = path
	}
	for _, name := range []string{filepath.Base(path), filepath.Base(resolved)} {
		switch name {
		case "java":
			return "a JVM"
		case "node", "nodejs":
			return "Node.js"
		}
	}
	if hasLibjvm(filepath.Dir(resolved)) {
		return "a JVM tool (libjvm next to it)"
	}
	if isGoBinary(resolved) {
		return "a Go binary"
	}
	return ""
}

// hasLibjvm recognizes JDK launchers with other names (jshell, a jlink'd
// runtime's tools) by the layout of the runtime image around bin/.
func hasLibjvm(binDir string) bool {
	home := filepath.Dir(binDir)
	for _, pattern := range []string{
		"lib/server/libjvm.so",       // JDK 9+
		"lib/*/server/libjvm.so",     // JDK 8 JRE
		"jre/lib/*/server/libjvm.so", // JDK 8
	} {
		if m, _ := filepath.Glob(filepath.Join(home, pattern)); len(m) > 0 {
			return true
		}
	}
	return false
}

// isGoBinary reports an ELF file carrying the Go build info section, which
// stripping (-s -w) keeps.
func isGoBinary(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Section(".go.buildinfo") != nil
}

// shebang returns the interpreter of a "#!" script, looking through
// "/usr/bin/env [-S] NAME" to the program env would run.
func shebang(path, pathEnv string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, _ := f.Read(buf)
	buf = buf[:n]
	if !bytes.HasPrefix(buf, []byte("#!")) {
		return "", false
	}
	line, _, _ := bytes.Cut(buf[2:], []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return "", false
	}
	interp := fields[0]
	if filepath.Base(interp) != "env" {
		return interp, true
	}
	for _, arg := range fields[1:] {
		if strings.HasPrefix(arg, "-") || strings.Contains(arg, "=") {
			continue // env options (-S, -i) and VAR=value assignments
		}
		if found, err := lookPath(arg, pathEnv); err == nil {
			return found, true
		}
		return arg, true
	}
	return interp, true
}

func isShell(path string) bool {
	switch filepath.Base(path) {
	case "sh", "bash", "dash", "ash", "ksh", "zsh", "busybox":
		return true
	}
	return false
}
