package main

import (
	"path/filepath"
	"runtime"
	"testing"
)

// TestUserDirs: the cache and configuration files follow the XDG variables when they hold
// an absolute directory, else the home directory.
func TestUserDirs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows takes %LOCALAPPDATA% and %APPDATA% before the home directory")
	}
	t.Parallel()
	for _, tt := range []struct {
		name          string
		env           map[string]string
		cache, config string
	}{
		{"XDG", map[string]string{"XDG_CACHE_HOME": "/xc", "XDG_CONFIG_HOME": "/xf", "HOME": "/h"},
			filepath.FromSlash("/xc/enosbatch"), filepath.FromSlash("/xf/enosbatch/config")},
		{"relative XDG is ignored", map[string]string{"XDG_CACHE_HOME": "xc", "XDG_CONFIG_HOME": "xf", "HOME": "/h"},
			filepath.FromSlash("/h/.cache/enosbatch"), filepath.FromSlash("/h/.config/enosbatch/config")},
		{"home", map[string]string{"HOME": "/h"}, filepath.FromSlash("/h/.cache/enosbatch"), filepath.FromSlash("/h/.config/enosbatch/config")},
		{"nothing known", map[string]string{}, "", ""},
	} {
		getenv := func(k string) string { return tt.env[k] }
		if got := cacheDir(getenv); got != tt.cache {
			t.Errorf("%s: cacheDir = %q, want %q", tt.name, got, tt.cache)
		}
		if got := configFilePath(getenv); got != tt.config {
			t.Errorf("%s: configFilePath = %q, want %q", tt.name, got, tt.config)
		}
	}
}
