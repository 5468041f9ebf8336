package batchprocessing

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"strconv"
	"strings"
)

// directoriesPath is the resource of the directory operations.
const directoriesPath = servicePath + "/directories"

// CreateDirectoryRequest is the input of Client.CreateDirectory.
type CreateDirectoryRequest struct {
	ParentID string // required: the id of the directory to create it in (WorkflowDirectory.Key)
	Name     string // required
	// OrgID and UserID: empty takes the client's defaults. The user must belong to the
	// parent directory's organization.
	OrgID, UserID string
}

type createDirectoryBody struct {
	ParentID string `json:"parentId"`
	DirName  string `json:"dirName"`
}

type dirIDData struct {
	DirID string `json:"dirId"`
}

func (d *dirIDData) validate() error {
	if d.DirID == "" {
		return errors.New("no dirId in the data")
	}
	return nil
}

// CreateDirectory creates a workflow directory and returns its id (Create Directory: POST
// /batch-processing-service/v2.1/directories?action=create). A name already used in the
// parent is ErrInvalidParameter.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/create_directory.html
func (c *Client) CreateDirectory(ctx context.Context, req CreateDirectoryRequest, opts ...CallOption) (string, error) {
	const op = "CreateDirectory"
	q, err := c.userQuery(ctx, op, "create", req.OrgID, req.UserID)
	if err != nil {
		return "", err
	}
	switch {
	case strings.TrimSpace(req.ParentID) == "":
		return "", invalid(op, "ParentID", "empty")
	case strings.TrimSpace(req.Name) == "":
		return "", invalid(op, "Name", "empty")
	}
	var data dirIDData
	err = c.do(ctx, call{op: op, rule: ruleOnce, method: http.MethodPost, path: directoriesPath, query: q,
		body: createDirectoryBody{ParentID: req.ParentID, DirName: req.Name}}.withOptions(opts), &data)
	if err != nil {
		return "", err
	}
	return data.DirID, nil
}

// Directory types of WorkflowDirectory.Type.
const (
	DirectoryTypeDataIntegration = 0
	DirectoryTypeWorkflow        = 1
	DirectoryTypeDataResource    = 2
	DirectoryTypeHql             = 3
	DirectoryTypeCommonResource  = 4
)

// WorkflowDirectory is a directory or a workflow file of List Workflow Directories
// (WorkFlowDir).
type WorkflowDirectory struct {
	// Title is the name of the directory or of the workflow file.
	Title string `json:"title"`
	// Key is the directory's id, or the flow id of a workflow (see FlowID).
	Key string `json:"key"`
	// Type is the directory type (DirectoryTypeDataIntegration, ...).
	Type int `json:"type"`
	// IsDirectory tells a directory from a workflow file.
	IsDirectory bool `json:"isDirectory"`
	// Editable reports whether the user may change the entry.
	Editable bool `json:"editable"`
	// Children are a directory's entries: its sub-directories and workflow files.
	Children []WorkflowDirectory `json:"children"`
}

// UnmarshalJSON decodes an entry tolerantly; key and type come as strings or numbers.
func (d *WorkflowDirectory) UnmarshalJSON(b []byte) error {
	type plain WorkflowDirectory
	return decodeTolerant(b, (*plain)(d))
}

// FlowID returns the flow id of a workflow entry, and false for a directory.
func (d *WorkflowDirectory) FlowID() (int64, bool) {
	if d.IsDirectory {
		return 0, false
	}
	id, err := strconv.ParseInt(d.Key, 10, 64)
	return id, err == nil
}

// All returns the entry and everything below it, depth first, each with its path of
// titles from the entry (["Workflow", "etl", "daily load"]).
func (d *WorkflowDirectory) All() iter.Seq2[[]string, *WorkflowDirectory] {
	return func(yield func([]string, *WorkflowDirectory) bool) {
		d.walk(nil, yield)
	}
}

func (d *WorkflowDirectory) walk(parent []string, yield func([]string, *WorkflowDirectory) bool) bool {
	path := append(parent[:len(parent):len(parent)], d.Title)
	if !yield(path, d) {
		return false
	}
	for i := range d.Children {
		if !d.Children[i].walk(path, yield) {
			return false
		}
	}
	return true
}

// ListWorkflowDirectoriesRequest is the input of Client.ListWorkflowDirectories.
type ListWorkflowDirectoriesRequest struct {
	OrgID, UserID string // empty: the client's defaults
}

// ListWorkflowDirectories returns the organization's workflow directory tree: the root
// ("Workflow") with its sub-directories and workflow files (List Workflow Directories: GET
// /batch-processing-service/v2.1/directories?action=listWorkFlowDirs).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_workflow_dirs.html
func (c *Client) ListWorkflowDirectories(ctx context.Context, req ListWorkflowDirectoriesRequest, opts ...CallOption) ([]WorkflowDirectory, error) {
	const op = "ListWorkflowDirectories"
	q, err := c.userQuery(ctx, op, "listWorkFlowDirs", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	var dirs []WorkflowDirectory
	if err := c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: directoriesPath, query: q}.withOptions(opts), &dirs); err != nil {
		return nil, err
	}
	return dirs, nil
}
