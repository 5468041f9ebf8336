package tasktype

import "testing"

func TestCodeAndName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		code int
		ok   bool
	}{{"DATA_INTEGRATION", 0, true}, {"SHELL", 3, true}, {"MR", 6, true}, {"COMMAND", 0, false}, {"shell", 0, false}} {
		code, ok := Code(tt.name)
		if code != tt.code || ok != tt.ok {
			t.Errorf("Code(%q) = %d, %t; want %d, %t", tt.name, code, ok, tt.code, tt.ok)
		}
		if name, ok := Name(tt.code); tt.ok && (name != tt.name || !ok) {
			t.Errorf("Name(%d) = %q, %t; want %q", tt.code, name, ok, tt.name)
		}
	}
	if name, ok := Name(7); ok || name != "" {
		t.Errorf("Name(7) = %q, %t; want no name", name, ok)
	}
}
