package refserver

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds the handlers of the /directories resource: Create Directory and List
// Workflow Directories.
// Each org has one root workflow directory (RootDirectory), created on first use with an id
// derived from the org id; sub-directories get random 32-hex ids.

// Titles and types of the workflow directory tree.
const (
	rootDirectoryTitle = "Workflow"
	workflowDirType    = 1 // WorkFlowDir type 1: Workflow
)

// createDirectory is Create Directory: POST /directories?action=create
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/create_directory.html). The
// user must belong to the org (62101). Then, in order: a body that is not a JSON object of strings
// answers 62102 "Invalid request body."; an empty (or blank) dirName 62102 "param: dirName cannot
// be empty"; an empty parentId 62102 "param: parentId cannot be empty"; a parentId that is not a
// directory of the org 62102 "parentId not found"; a sibling directory with the same name (after
// trimming spaces, case-sensitive) 62102 "A directory of the same name already exists".
func (st *state) createDirectory(c *call) (any, *failure) {
	orgID, _, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	st.rootDirectory(orgID)
	var req createDirectoryRequest
	if f := decodeCallBody(c, &req, errInvalidBody); f != nil {
		return nil, f
	}
	name := strings.TrimSpace(req.DirName)
	switch {
	case name == "":
		return nil, errDirNameEmpty.because("dirName is missing, empty or blank")
	case req.ParentID == "":
		return nil, errParentIDEmpty.because("parentId is missing or empty")
	}
	parent := st.dirs[req.ParentID]
	if parent == nil || parent.orgID != orgID {
		return nil, errParentNotFound.because(fmt.Sprintf("parentId %s: no directory of that id in organization %s", shown(req.ParentID), quote(orgID)))
	}
	for _, d := range st.dirs {
		if d.parentID == parent.id && d.name == name {
			return nil, errDirExists.because(fmt.Sprintf("directory %s already holds a directory named %s", quote(parent.id), quote(name)))
		}
	}
	d := &directory{id: randomHex(16), orgID: orgID, parentID: parent.id, name: name}
	st.dirs[d.id] = d
	return directoryIDData{DirID: d.id}, nil
}

// listWorkFlowDirs is List Workflow Directories: GET /directories?action=listWorkFlowDirs
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_workflow_dirs.html): a
// one-element array, the org's root directory {title "Workflow", type 1, key <root id>, isDirectory
// true}, with its children nested: sub-directories (by name) first, then workflow files (by flow
// id) with key the flow id as a number, title the flow name and editable true for the flows the
// user owns. A flow whose DirID is not a directory of its org shows under the root.
func (st *state) listWorkFlowDirs(c *call) (any, *failure) {
	orgID, userID, f := st.ouMember(c)
	if f != nil {
		return nil, f
	}
	root := st.rootDirectory(orgID)
	subdirs := make(map[string][]*directory)
	for _, d := range st.dirs {
		if d.orgID == orgID && d.parentID != "" {
			subdirs[d.parentID] = append(subdirs[d.parentID], d)
		}
	}
	files := make(map[string][]*Flow)
	for _, fl := range st.sortedFlows(orgID) {
		dir := fl.DirID
		if d := st.dirs[dir]; d == nil || d.orgID != orgID {
			dir = root
		}
		files[dir] = append(files[dir], fl)
	}
	var build func(d *directory) workFlowDir
	build = func(d *directory) workFlowDir {
		children := []workFlowDir{}
		subs := subdirs[d.id]
		slices.SortFunc(subs, func(a, b *directory) int { return strings.Compare(a.name, b.name) })
		for _, sub := range subs {
			children = append(children, build(sub))
		}
		for _, fl := range files[d.id] {
			editable := isOwner(fl, userID)
			children = append(children, workFlowDir{
				Title: fl.Name, Type: workflowDirType, Key: fl.ID, Editable: &editable,
			})
		}
		return workFlowDir{Children: &children, Title: d.name, Type: workflowDirType, Key: d.id, IsDirectory: true}
	}
	return []workFlowDir{build(st.dirs[root])}, nil
}
