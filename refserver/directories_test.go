package refserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

func TestDirectories(t *testing.T) {
	t.Parallel()
	r, _ := newManualRig(t, t0)
	root := r.srv.RootDirectory(refserver.DemoOrgID)
	if !hex32.MatchString(root) || root == r.srv.RootDirectory("o2") {
		t.Fatalf("root %q", root)
	}
	if other := refserver.NewServer(); other.RootDirectory(refserver.DemoOrgID) != root {
		t.Error("root directory ids differ between servers")
	} else {
		other.Close()
	}
	create := func(parent, name string) answer {
		return r.op(http.MethodPost, directoriesPath, "create", "", `{"parentId":"`+parent+`","dirName":"`+name+`"}`)
	}
	dirID := func(a answer) string {
		t.Helper()
		m := shape(t, ok(t, a), map[string]string{"dirId": "string"})
		id := str(t, m["dirId"])
		if !hex32.MatchString(id) {
			t.Fatalf("dirId %q", id)
		}
		return id
	}
	a := dirID(create(root, "A"))
	ab := dirID(create(a, "B"))
	aa := dirID(create(a, "A")) // same name, another parent
	z := dirID(create(root, "Z"))
	if len(map[string]bool{a: true, ab: true, aa: true, z: true, root: true}) != 5 {
		t.Fatal("directory ids repeat")
	}
	taken := create(root, "A")
	wantErr(t, taken, 62102, "A directory of the same name already exists")
	if want := `already holds a directory named "A"`; !strings.Contains(taken.Reason, want) {
		t.Errorf("X-Refserver-Reason = %q, want it to hold %q", taken.Reason, want)
	}
	wantErr(t, create(a, " B "), 62102, "A directory of the same name already exists")

	r.srv.AddUser("o2", "u2")
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "o2")
	tests := []struct{ name, body, msg string }{
		{"dirName missing", `{"parentId":"` + root + `"}`, "param: dirName cannot be empty"},
		{"dirName blank", `{"parentId":"` + root + `","dirName":"  "}`, "param: dirName cannot be empty"},
		{"both missing", `{}`, "param: dirName cannot be empty"},
		{"parentId missing", `{"dirName":"x"}`, "param: parentId cannot be empty"},
		{"parentId unknown", `{"parentId":"00000000000000000000000000000000","dirName":"x"}`, "parentId not found"},
		{"parent in another org", `{"parentId":"` + r.srv.RootDirectory("o2") + `","dirName":"x"}`, "parentId not found"},
		{"not JSON", `mkdir`, msgInvalidBody},
		{"dirName not a string", `{"parentId":"` + root + `","dirName":5}`, msgInvalidBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, r.op(http.MethodPost, directoriesPath, "create", "", tt.body), 62102, tt.msg)
		})
	}
	wantErr(t, r.opAs("o2", refserver.DemoUserID, http.MethodPost, directoriesPath, "create", "", `{"parentId":"`+root+`","dirName":"x"}`), 62101, msgUserNotInOrg)

	// Flows in directories: one imported into A/B, one of another owner at the root.
	exported := ok(t, r.op(http.MethodGet, flowsPath, "export", "&flowId=3377", ""))
	ok(t, r.op(http.MethodPost, flowsPath, "import", "", `{"flowId":77,"flowName":"in B","desc":"","dirId":"`+ab+`","flowJson":`+string(exported)+`}`))
	r.srv.AddFlow(refserver.Flow{ID: 5, Name: "theirs", OrgID: refserver.DemoOrgID, Owner: "boss"})
	r.srv.AddFlow(refserver.Flow{ID: 6, Name: "elsewhere", OrgID: "o2", Owner: "u2"})

	data := ok(t, r.op(http.MethodGet, directoriesPath, "listWorkFlowDirs", "", ""))
	dirShape := map[string]string{"children": "array", "title": "string", "type": "number", "key": "string", "isDirectory": "bool"}
	fileShape := map[string]string{"title": "string", "type": "number", "key": "number", "isDirectory": "bool", "editable": "bool"}
	var check func(raw json.RawMessage) string
	check = func(raw json.RawMessage) string {
		var probe struct {
			IsDirectory bool `json:"isDirectory"`
		}
		decode(t, raw, &probe)
		if !probe.IsDirectory {
			m := shape(t, raw, fileShape)
			return "file(" + string(m["key"]) + " " + str(t, m["title"]) + " " + string(m["editable"]) + ")"
		}
		m := shape(t, raw, dirShape)
		if string(m["type"]) != "1" {
			t.Errorf("type %s", m["type"])
		}
		var children []json.RawMessage
		decode(t, m["children"], &children)
		out := "dir(" + str(t, m["title"]) + ":"
		for _, c := range children {
			out += " " + check(c)
		}
		return out + ")"
	}
	var top []json.RawMessage
	decode(t, data, &top)
	if len(top) != 1 {
		t.Fatalf("top level %s", data)
	}
	if got, want := check(top[0]), "dir(Workflow: dir(A: dir(A:) dir(B: file(77 in B true))) dir(Z:) file(5 theirs false) file(3377 demo flow true) file(3378 empty flow true))"; got != want {
		t.Errorf("tree\n%s\nwant\n%s", got, want)
	}
	var rootKey struct{ Key string }
	decode(t, top[0], &rootKey)
	if rootKey.Key != root {
		t.Errorf("root key %s, want %s", rootKey.Key, root)
	}
	// The other org sees its own tree.
	var other []struct {
		Key      string                `json:"key"`
		Children []struct{ Key int64 } `json:"children"`
	}
	decode(t, ok(t, r.opAs("o2", "u2", http.MethodGet, directoriesPath, "listWorkFlowDirs", "", "")), &other)
	if len(other) != 1 || other[0].Key != r.srv.RootDirectory("o2") || len(other[0].Children) != 1 || other[0].Children[0].Key != 6 {
		t.Errorf("o2 tree %+v", other)
	}
	wantErr(t, r.opAs("o2", refserver.DemoUserID, http.MethodGet, directoriesPath, "listWorkFlowDirs", "", ""), 62101, msgUserNotInOrg)
}
