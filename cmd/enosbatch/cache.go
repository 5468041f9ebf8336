package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// enosbatch remembers the ids of its last listings in its cache directory, for the shell
// completion of instance and flow ids: a file per kind, one "id<TAB>description" line per
// entry, newest first, in a directory per gateway and organization, so that completing a
// command for one profile never offers the ids of another (the same flow id may be another
// flow there). --demo keeps none: its server lives as long as the command. It is a
// convenience: failing to read or write it changes nothing else.

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

// cacheFile returns the path of the cache file name for the gateway and organization in
// use; "" with --demo, or when no cache directory or gateway is known.
func (s *session) cacheFile(name string) string {
	dir := cacheDir(s.getenv)
	if dir == "" || s.g.demo {
		return ""
	}
	cfg := s.cfg
	if cfg == nil { // completing: the gateway and org alone, the SecretKey file not read
		cfg, _, _, _ = resolveSettings(&s.g, s.getenv)
	}
	if cfg == nil || cfg.settings["gateway"].value == "" {
		return ""
	}
	key := strings.TrimRight(cfg.settings["gateway"].value, "/") + "\n" + cfg.settings["org"].value
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:8]), name)
}

// remember puts entries at the top of the cache file name, dropping older lines with the
// same ids and what exceeds maxCachedEntries. Errors are ignored.
func (s *session) remember(name string, entries []cacheEntry) {
	path := s.cacheFile(name)
	if path == "" || len(entries) == 0 {
		return
	}
	dir := filepath.Dir(path)
	seen := map[string]bool{}
	var lines []string
	for _, e := range append(entries, s.readCache(name)...) {
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
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

// readCache returns the entries of the cache file name, newest first.
func (s *session) readCache(name string) []cacheEntry {
	path := s.cacheFile(name)
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
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
