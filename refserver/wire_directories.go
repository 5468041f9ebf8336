package refserver

// This file holds the wire types of the /directories and /time resources (spec sections 3.2
// and 3.4 #19 to #22).

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
	Children    *[]workFlowDir `json:"children,omitempty"`
	Title       string         `json:"title"`
	Type        int            `json:"type"`
	Key         string         `json:"key"`
	IsDirectory bool           `json:"isDirectory"`
	Editable    *bool          `json:"editable,omitempty"`
}

// timeZoneData is the TimeZone struct of Get Timezone.
type timeZoneData struct {
	TimeZone string `json:"timezone"`
}
