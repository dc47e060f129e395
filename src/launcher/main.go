// Command launch sets a memory rlimit matching the container's memory limit and
// execs the program, so that over-allocation fails inside the program
// (MemoryError, malloc NULL, OutOfMemoryError) instead of drawing the OOM killer.
//
//	launch -- PROGRAM [ARGS...]
//	launch --install DIR
//	launch --version
//
// See docs/launcher.md for the contract.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const (
	envRatio      = "RLIMIT_INJECTOR_RATIO"
	envVerbose    = "RLIMIT_INJECTOR_VERBOSE"
	envGoSoft     = "RLIMIT_INJECTOR_GO_SOFT_LIMIT"
	envArenas     = "MALLOC_ARENA_MAX"
	envGoMemLimit = "GOMEMLIMIT"
)

const usage = `usage: launch -- PROGRAM [ARGS...]
       launch --install DIR
       launch --version`

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), system{root: "/"}))
}

// run returns only when the program could not be exec'd (or for the
// non-exec subcommands); every failure prints one line to stderr.
func run(args, environ []string, sys system) int {
	cmd, err := parseArgs(args)
	if err != nil {
		return fail(exitUsage, err.Error())
	}
	switch cmd.kind {
	case cmdVersion:
		fmt.Println("rlimit-injector launcher", version)
		return 0
	case cmdHelp:
		fmt.Println(usage)
		return 0
	case cmdInstall:
		if err := install("/proc/self/exe", cmd.dir); err != nil {
			return fail(exitInstallFailed, "install: "+err.Error())
		}
		return 0
	}

	p, warnings, code, err := makePlan(cmd.argv, environ, sys)
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "rlimit-injector: "+w)
	}
	if err != nil {
		return fail(code, err.Error())
	}

	if p.verbose {
		fmt.Fprintln(os.Stderr, "rlimit-injector: "+p.describe())
	}
	if p.set > 0 {
		// From here to execve nothing may need new memory from the kernel: the
		// launcher's own Go runtime already holds ~700 MiB of address space, so
		// under a small RLIMIT_AS any heap growth would be a fatal error.
		reserveHeadroom()
		if err := setLimit(p.mode.resource(), p.set); err != nil {
			fmt.Fprintf(os.Stderr, "rlimit-injector: warning: setrlimit %s=%d failed: %v; running without a limit\n", p.mode.rlimitName(), p.set, err)
		}
	}
	err = syscall.Exec(p.path, p.argv, p.env)
	what := p.path
	if p.set > 0 {
		what += fmt.Sprintf(" under %s=%d", p.mode.rlimitName(), p.set)
	}
	return fail(exitCodeFor(err), cannotRun(what, err))
}

// cannotRun says that the program itself cannot run, which is the command's
// own fault, not a setting's: nothing else of the launcher's exits.
func cannotRun(program string, err error) string {
	return fmt.Sprintf("cannot run %s: %v (the command's own fault; exit %d, as a shell would)", program, err, exitCodeFor(err))
}

func fail(code int, msg string) int {
	fmt.Fprintln(os.Stderr, "rlimit-injector: "+msg)
	return code
}

type cmdKind int

const (
	cmdRun cmdKind = iota
	cmdInstall
	cmdVersion
	cmdHelp
)

type command struct {
	kind cmdKind
	argv []string // program and its arguments, untouched
	dir  string   // install target
}

// parseArgs insists on "--" before the program so that no program argument
// is ever taken for a launcher option.
func parseArgs(args []string) (command, error) {
	if len(args) == 0 {
		return command{}, fmt.Errorf("no program given (%s)", oneLine(usage))
	}
	switch args[0] {
	case "--":
		if len(args) < 2 || args[1] == "" {
			return command{}, fmt.Errorf("no program after --")
		}
		return command{kind: cmdRun, argv: args[1:]}, nil
	case "--install":
		if len(args) != 2 || args[1] == "" {
			return command{}, fmt.Errorf("--install takes exactly one directory")
		}
		return command{kind: cmdInstall, dir: args[1]}, nil
	case "--version":
		return command{kind: cmdVersion}, nil
	case "--help", "-h":
		return command{kind: cmdHelp}, nil
	}
	return command{}, fmt.Errorf("expected -- before the program, got %q (%s)", args[0], oneLine(usage))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", ";")), " ")
}

// ignoring is the line for a setting that cannot be used: what, why, and
// what is used instead.
func ignoring(err error, instead string) string {
	return fmt.Sprintf("warning: ignoring %v; using %s", err, instead)
}

// parseRatio accepts 0 < r <= 1; empty means 1.
func parseRatio(raw string) (float64, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 1, nil
	}
	r, err := strconv.ParseFloat(raw, 64)
	if err != nil || !(r > 0 && r <= 1) { // also rejects NaN
		return 0, fmt.Errorf("%s=%q: want a number with 0 < r <= 1", envRatio, raw)
	}
	return r, nil
}

// parseGoSoft reads the switch for the Go soft limit: on unless "off".
func parseGoSoft(raw string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "", "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q: want on or off", envGoSoft, raw)
}

type plan struct {
	path    string // resolved program
	argv    []string
	env     []string
	mode    mode
	why     string // why auto chose the mode
	limit   limit
	ratio   float64
	target  uint64 // rlimit wanted; 0 = exec only
	set     uint64 // rlimit to set: target, or a lower hard limit already in force
	goSoft  string // what was done about GOMEMLIMIT, for a Go program; "" otherwise
	verbose bool
}

// makePlan decides everything without side effects (beyond reading files and
// the current rlimit). It fails only when the program cannot be run, and then
// also returns the exit code.
func makePlan(argv, environ []string, sys system) (plan, []string, int, error) {
	getenv := envLookup(environ)
	p := plan{argv: argv, env: environ}
	p.verbose = isTrue(getenv(envVerbose))

	// A setting the launcher cannot use is the container's own (the webhook
	// writes only valid ones): it is ignored with one line, never fatal.
	var warnings []string
	var err error
	if p.mode, err = parseMode(getenv(envMode)); err != nil {
		p.mode, warnings = modeAuto, append(warnings, ignoring(err, string(modeAuto)))
	}
	if p.ratio, err = parseRatio(getenv(envRatio)); err != nil {
		p.ratio, warnings = 1, append(warnings, ignoring(err, "1"))
	}
	goSoft, err := parseGoSoft(getenv(envGoSoft))
	if err != nil {
		goSoft, warnings = true, append(warnings, ignoring(err, "on"))
	}
	pathEnv := getenv("PATH")
	if p.path, err = lookPath(argv[0], pathEnv); err != nil {
		return p, warnings, exitCodeFor(err), errors.New(cannotRun(argv[0], err))
	}
	if p.mode == modeOff {
		return p, warnings, 0, nil
	}
	if p.mode == modeAuto {
		p.mode, p.why = autoMode(p.path, getenv, pathEnv)
	}

	var limitWarnings []string
	p.limit, limitWarnings = resolveLimit(getenv, sys)
	warnings = append(warnings, limitWarnings...)
	if p.limit.bytes == 0 {
		return p, warnings, 0, nil
	}
	if p.target = rlimitFor(p.limit.bytes, p.ratio); p.target == 0 {
		warnings = append(warnings, fmt.Sprintf("warning: no %s: limit %d x ratio %g is below the floor of %d bytes, under which programs cannot start", p.mode.rlimitName(), p.limit.bytes, p.ratio, minRlimit))
		return p, warnings, 0, nil
	}
	p.set = capToHardLimit(p.mode.resource(), p.target)
	var add []string
	if p.mode == modeAS && !hasEnv(environ, envArenas) {
		// glibc reserves 64 MiB of address space per thread arena; under
		// RLIMIT_AS those reservations alone can exhaust the budget.
		add = append(add, envArenas+"=2")
	}
	if p.set > 0 && isGoBinary(p.path) {
		var kv string
		kv, p.goSoft = goSoftEnv(environ, goSoft, p.set)
		if kv != "" {
			add = append(add, kv)
		}
	}
	if len(add) > 0 {
		p.env = append(append([]string(nil), environ...), add...)
	}
	return p, warnings, 0, nil
}

// goSoftEnv decides GOMEMLIMIT for a Go program under rlimit: the entry to
// add ("" for none) and what the verbose line says. Go's collector lets the
// heap grow to twice the live set and knows nothing of the rlimit unless
// GOMEMLIMIT says so; a value the container sets is never touched.
func goSoftEnv(environ []string, on bool, rlimit uint64) (kv, says string) {
	switch {
	case hasEnv(environ, envGoMemLimit):
		return "", envGoMemLimit + " kept (set by the container)"
	case !on:
		return "", envGoMemLimit + " not set (" + envGoSoft + "=off)"
	}
	kv = fmt.Sprintf("%s=%d", envGoMemLimit, goSoftLimit(rlimit))
	return kv, kv + " set"
}

// describe is the verbose line: what limit, from where, and what was set.
func (p plan) describe() string {
	m := string(p.mode)
	if p.why != "" {
		m += " (auto: " + p.why + ")"
	}
	if p.mode == modeOff {
		return "mode off: exec only"
	}
	if p.limit.bytes == 0 {
		return fmt.Sprintf("no memory limit found (%s); mode %s; exec only", strings.Join(p.limit.seen, ", "), m)
	}
	s := fmt.Sprintf("limit %d from %s; headroom %d; ratio %g; ", p.limit.bytes, p.limit.from, headroom(p.limit.bytes), p.ratio)
	switch {
	case p.set == 0:
		s += p.mode.rlimitName() + " not set"
	case p.set < p.target:
		s += fmt.Sprintf("%s=%d (capped by the existing hard limit; wanted %d)", p.mode.rlimitName(), p.set, p.target)
	default:
		s += fmt.Sprintf("%s=%d", p.mode.rlimitName(), p.set)
	}
	s += "; mode " + m
	if p.goSoft != "" {
		s += "; " + p.goSoft
	}
	return s
}

func envLookup(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, dup := m[k]; !dup { // the first wins, as in getenv(3)
				m[k] = v
			}
		}
	}
	return func(k string) string { return m[k] }
}

func hasEnv(environ []string, key string) bool {
	for _, kv := range environ {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
