package main

// launch --install DIR: the init container copies the launcher into a shared
// emptyDir. Images have no shell or cp, so the binary copies itself.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// install copies self (normally /proc/self/exe, which works even if the file
// was replaced) to dir/launch atomically: a reader of dir/launch sees either
// nothing or the whole file.
func install(self, dir string) (err error) {
	src, err := os.Open(self)
	if err != nil {
		return fmt.Errorf("read own executable: %w", err)
	}
	defer src.Close()

	tmp, err := os.CreateTemp(dir, ".launch-*")
	if err != nil {
		return fmt.Errorf("cannot write to %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, src); err != nil {
		return fmt.Errorf("copy to %s: %w", tmp.Name(), err)
	}
	if err = tmp.Chmod(0o755); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	dst := filepath.Join(dir, "launch")
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	// Persist the rename itself; failure to sync a directory is not worth failing for.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
