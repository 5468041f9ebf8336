package refserver

// This file holds the wire types of the /directories and /time resources, as the pages of
// their four operations document them.

// createDirectoryRequest is the body of Create Directory.
type createDirectoryRequest struct {
	ParentID string `json:"parentId"`
	DirName  string `json:"dirName"`
}

// directoryIDData is the DirectoryId struct.
type directoryIDData struct {
	DirID string `json:"dirId"`
}

// workFlowDir is a WorkFlowDir: a directory (with its children, possibly none) or a workflow
// file (no children, with editable).
type workFlowDir struct {
	Children *[]workFlowDir `json:"children,omitempty"`
	Title    string         `json:"title"`
	Type     int            `json:"type"`
	// Key is a directory's id, a string, or a workflow file's flow id, a number: the sample of
	// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_workflow_dirs.html
	// shows "key": 2512 for a file, and the table documents the directory's id as a String.
	Key         any   `json:"key"`
	IsDirectory bool  `json:"isDirectory"`
	Editable    *bool `json:"editable,omitempty"`
}

// timeZoneData is the TimeZone struct of Get Timezone.
type timeZoneData struct {
	TimeZone string `json:"timezone"`
}
