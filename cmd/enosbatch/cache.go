package main

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// enosbatch remembers the ids of its last listings in its cache directory, for the shell
// completion of instance and flow ids: a file per kind, one "id<TAB>description" line per
// entry, newest first. It is a convenience: failing to read or write it changes nothing
// else.

// Cache files.
const (
	cachedInstances = "instances" // flow instances listed by instances, or made by trigger
	cachedFlows     = "flows"     // flows listed by flows search or instances
)

// maxCachedEntries bounds each cache file.
const maxCachedEntries = 500

// cacheDir returns enosbatch's cache directory: $XDG_CACHE_HOME/enosbatch, else
// ~/.cache/enosbatch (%LOCALAPPDATA%\enosbatch on Windows); "" when neither is known.
func cacheDir(getenv func(string) string) string {
	return userDir(getenv, "XDG_CACHE_HOME", "LOCALAPPDATA", ".cache")
}

// userDir returns enosbatch's directory under the absolute directory in the XDG variable
// xdgVar, else (on Windows) under the directory in windowsVar, else under ~/homeSubdir;
// "" when none is known.
func userDir(getenv func(string) string, xdgVar, windowsVar, homeSubdir string) string {
	if dir := getenv(xdgVar); filepath.IsAbs(dir) {
		return filepath.Join(dir, "enosbatch")
	}
	if runtime.GOOS == "windows" {
		if dir := getenv(windowsVar); dir != "" {
			return filepath.Join(dir, "enosbatch")
		}
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, homeSubdir, "enosbatch")
	}
	return ""
}

// cacheEntry is one remembered id with its description.
type cacheEntry struct{ id, description string }

// remember puts entries at the top of the cache file name, dropping older lines with the
// same ids and what exceeds maxCachedEntries. Errors are ignored.
func (s *session) remember(name string, entries []cacheEntry) {
	dir := cacheDir(s.getenv)
	if dir == "" || len(entries) == 0 {
		return
	}
	seen := map[string]bool{}
	var lines []string
	for _, e := range append(entries, readCache(s.getenv, name)...) {
		if e.id == "" || seen[e.id] || len(lines) == maxCachedEntries {
			continue
		}
		seen[e.id] = true
		lines = append(lines, e.id+"\t"+strings.Map(noControl, e.description))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, name+".*")
	if err != nil {
		return
	}
	_, err = tmp.WriteString(strings.Join(lines, "\n") + "\n")
	if cerr := tmp.Close(); err == nil && cerr == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

// readCache returns the entries of the cache file name, newest first.
func readCache(getenv func(string) string, name string) []cacheEntry {
	dir := cacheDir(getenv)
	if dir == "" {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []cacheEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(out) < maxCachedEntries {
		id, desc, _ := strings.Cut(sc.Text(), "\t")
		if id != "" {
			out = append(out, cacheEntry{id, desc})
		}
	}
	return out
}

// noControl drops control characters (a tab or line break in a flow name, an escape, the C1
// controls such as U+0085 NEXT LINE, the bidirectional overrides) from a description.
func noControl(r rune) rune {
	if isUnprintable(r) {
		return -1
	}
	return r
}

// rememberListing remembers the instances of a listing, and their flows.
func (s *session) rememberListing(views []instanceView) {
	instances := make([]cacheEntry, 0, len(views))
	flows := make([]cacheEntry, 0, len(views))
	for _, v := range views {
		instances = append(instances, cacheEntry{v.InstanceID, v.FlowName + " " + v.Status})
		flows = append(flows, cacheEntry{itoa(v.FlowID), v.FlowName})
	}
	s.remember(cachedInstances, instances)
	s.remember(cachedFlows, flows)
}
