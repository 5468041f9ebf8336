package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cacheSession returns a session whose XDG_CACHE_HOME is a directory of the test's, with a
// gateway and an org, and the directory of its cache files.
func cacheSession(t *testing.T) (*session, string) {
	t.Helper()
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir(), "ENOS_API_GATEWAY": "https://gw.example.com", "ENOS_ORG_ID": "o-1"}
	s := &session{getenv: func(k string) string { return env[k] }}
	return s, filepath.Dir(s.cacheFile(cachedInstances))
}

// numbered returns the entries first to last-1: ids "<prefix><n>", descriptions "d<n>".
func numbered(prefix string, first, last int) []cacheEntry {
	var out []cacheEntry
	for n := first; n < last; n++ {
		out = append(out, cacheEntry{prefix + itoa(int64(n)), "d" + itoa(int64(n))})
	}
	return out
}

// cacheText returns the cache file that holds entries.
func cacheText(entries []cacheEntry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.id + "\t" + e.description + "\n")
	}
	return b.String()
}

// TestCacheRemember: remember puts the new entries on top, newest first, drops older lines
// of the same ids, keeps at most maxCachedEntries, and scrubs control characters from the
// descriptions.
func TestCacheRemember(t *testing.T) {
	t.Parallel()
	if maxCachedEntries != 500 {
		t.Fatalf("maxCachedEntries = %d; the cases below are written for 500", maxCachedEntries)
	}
	tests := []struct {
		name  string
		calls [][]cacheEntry // the remember calls, in order
		want  []cacheEntry   // readCache afterwards; nil: no file
	}{
		{"one call keeps its order", [][]cacheEntry{{{"a", "da"}, {"b", "db"}}}, []cacheEntry{{"a", "da"}, {"b", "db"}}},
		{"a later call goes on top", [][]cacheEntry{{{"a", "da"}, {"b", "db"}}, {{"c", "dc"}}},
			[]cacheEntry{{"c", "dc"}, {"a", "da"}, {"b", "db"}}},
		{"a remembered id moves up with its new description", [][]cacheEntry{{{"a", "da"}, {"b", "db"}, {"c", "dc"}}, {{"b", "new"}}},
			[]cacheEntry{{"b", "new"}, {"a", "da"}, {"c", "dc"}}},
		{"an id twice in one call: the first stays", [][]cacheEntry{{{"a", "first"}, {"b", "db"}, {"a", "second"}}},
			[]cacheEntry{{"a", "first"}, {"b", "db"}}},
		{"entries without an id are dropped", [][]cacheEntry{{{"", "no id"}, {"a", "da"}}}, []cacheEntry{{"a", "da"}}},
		{"nothing to remember writes no file", [][]cacheEntry{nil, {}}, nil},
		{"one call over the bound keeps its first 500", [][]cacheEntry{numbered("i", 0, 600)}, numbered("i", 0, 500)},
		{"a full cache drops its oldest", [][]cacheEntry{numbered("i", 0, 500), numbered("new", 0, 3)},
			append(numbered("new", 0, 3), numbered("i", 0, 497)...)},
		{"a full cache, ids remembered again", [][]cacheEntry{numbered("i", 0, 500), {{"i499", "again"}, {"i0", "again"}}},
			append([]cacheEntry{{"i499", "again"}, {"i0", "again"}}, numbered("i", 1, 499)...)},
		{"control characters are scrubbed", [][]cacheEntry{{{"41-20261130080000", "fast\tflow\nname\r\x1b[31m\x00\x7f\u0085\u009b SUCCESS"}}},
			[]cacheEntry{{"41-20261130080000", "fastflowname[31m SUCCESS"}}},
		{"other characters are kept", [][]cacheEntry{{{"41", "flöw → ✓ 流程 ~!"}}}, []cacheEntry{{"41", "flöw → ✓ 流程 ~!"}}},
		{"a description of control characters only", [][]cacheEntry{{{"41", "\t\n\r"}}}, []cacheEntry{{"41", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, dir := cacheSession(t)
			for _, entries := range tt.calls {
				s.remember(cachedInstances, entries)
			}
			got := s.readCache(cachedInstances)
			if !slices.Equal(got, tt.want) {
				t.Errorf("readCache: %d entries %.300q\nwant %d: %.300q", len(got), got, len(tt.want), tt.want)
			}
			b, err := os.ReadFile(filepath.Join(dir, cachedInstances))
			switch {
			case tt.want == nil && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("a cache file (%v): %q", err, b)
			case tt.want != nil && err != nil:
				t.Fatal(err)
			case tt.want != nil && string(b) != cacheText(tt.want):
				t.Errorf("the file has %d lines:\n%.300q\nwant %d", strings.Count(string(b), "\n"), b, len(tt.want))
			}
			// The file is written whole and renamed: no temporary file stays, and the other
			// cache file is not touched.
			names, _ := os.ReadDir(dir)
			var files []string
			for _, n := range names {
				files = append(files, n.Name())
			}
			if want := []string{cachedInstances}; tt.want != nil && !slices.Equal(files, want) {
				t.Errorf("cache directory holds %q, want %q", files, want)
			}
		})
	}
}

// TestReadCache reads cache files written by hand: one "id<TAB>description" line per entry,
// the first maxCachedEntries of them.
func TestReadCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string // "" : no file
		want []cacheEntry
	}{
		{"no file", "", nil},
		{"entries in the file's order", "b\tdb\na\tda\n", []cacheEntry{{"b", "db"}, {"a", "da"}}},
		{"a line without a tab is an id alone", "a\nb\tdb", []cacheEntry{{"a", ""}, {"b", "db"}}},
		{"lines without an id are skipped", "\tno id\n\na\tda\n", []cacheEntry{{"a", "da"}}},
		{"the description is the rest of the line", "a\tx\ty\n", []cacheEntry{{"a", "x\ty"}}},
		{"at most 500 entries", cacheText(numbered("i", 0, 650)), numbered("i", 0, 500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, dir := cacheSession(t)
			if tt.file != "" {
				writeTestFile(t, filepath.Join(dir, cachedFlows), 0o600, tt.file)
			}
			if got := s.readCache(cachedFlows); !slices.Equal(got, tt.want) {
				t.Errorf("readCache: %d entries %.300q\nwant %d: %.300q", len(got), got, len(tt.want), tt.want)
			}
			if got := s.readCache(cachedInstances); got != nil {
				t.Errorf("the instances file, never written: %q", got)
			}
		})
	}
}

// TestCacheWithoutDirectory: with no cache directory known, remember writes nothing and
// readCache finds nothing.
func TestCacheWithoutDirectory(t *testing.T) {
	t.Parallel()
	s := &session{getenv: func(string) string { return "" }}
	s.remember(cachedFlows, []cacheEntry{{"41", "fast flow"}})
	if got := s.readCache(cachedFlows); got != nil {
		t.Errorf("readCache = %q, want nothing", got)
	}
}
