package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeExec(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseMode(t *testing.T) {
	for raw, want := range map[string]mode{"": modeAuto, "auto": modeAuto, "AS": modeAS, " data ": modeData, "off": modeOff} {
		if got, err := parseMode(raw); err != nil || got != want {
			t.Errorf("parseMode(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{"rss", "as,data", "1"} {
		if _, err := parseMode(raw); err == nil {
			t.Errorf("parseMode(%q) accepted", raw)
		}
	}
}

func TestAutoMode(t *testing.T) {
	dir := t.TempDir()
	jdk := filepath.Join(dir, "usr/lib/jvm/jdk-17")
	java := writeExec(t, filepath.Join(jdk, "bin/java"), "\x7fELF fake")
	jshell := writeExec(t, filepath.Join(jdk, "bin/jshell"), "\x7fELF fake")
	writeExec(t, filepath.Join(jdk, "lib/server/libjvm.so"), "fake")
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// /usr/bin/java -> /etc/alternatives/java -> the JDK's, under another name.
	if err := os.Symlink(java, filepath.Join(bin, "jvm-alias")); err != nil {
		t.Fatal(err)
	}
	node := writeExec(t, filepath.Join(dir, "opt/node/bin/node"), "\x7fELF fake")
	if err := os.Symlink(node, filepath.Join(bin, "nodejs")); err != nil {
		t.Fatal(err)
	}
	python := writeExec(t, filepath.Join(bin, "python3.11"), "\x7fELF fake")
	if err := os.Symlink(python, filepath.Join(bin, "python3")); err != nil {
		t.Fatal(err)
	}
	nodeScript := writeExec(t, filepath.Join(bin, "server.js"), "#!/usr/bin/env -S node --max-old-space-size=100\nconsole.log(1)\n")
	shScript := writeExec(t, filepath.Join(bin, "entrypoint.sh"), "#!/bin/sh\nexec java -jar app.jar\n")
	pyScript := writeExec(t, filepath.Join(bin, "tool"), "#!"+filepath.Join(bin, "python3")+"\nprint(1)\n")
	self, err := os.Executable() // this test binary is a Go program
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path, javaHome string
		want           mode
		why            string
	}{
		{java, "", modeData, "a JVM"},
		{filepath.Join(bin, "jvm-alias"), "", modeData, "a JVM"},
		{jshell, "", modeData, "libjvm"},
		{filepath.Join(bin, "nodejs"), "", modeData, "Node.js"},
		{filepath.Join(bin, "python3"), "", modeAS, "not a JVM"},
		{self, "", modeData, "Go binary"},
		{"/bin/sh", "", modeAS, "not a JVM"},
		{nodeScript, "", modeData, "script run by " + node},
		{shScript, "", modeAS, "script run by /bin/sh"},
		{shScript, "/opt/java", modeData, "JAVA_HOME"},
		{pyScript, "/opt/java", modeAS, "script run by"},
	}
	pathEnv := filepath.Join(dir, "opt/node/bin") + ":" + bin
	for _, tc := range tests {
		got, why := autoMode(tc.path, env("JAVA_HOME", tc.javaHome), pathEnv)
		if got != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("autoMode(%s, JAVA_HOME=%q) = %q (%s); want %q (%s)", tc.path, tc.javaHome, got, why, tc.want, tc.why)
		}
	}
}
