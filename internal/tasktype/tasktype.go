// Package tasktype holds the task type codes of the EnOS Batch Processing documentation,
// which the client reads and the reference server writes.
package tasktype

// codes are the task type codes of the documentation's table (the Task struct of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/export_flow.html), by
// name. Other names, COMMAND among them, have no documented code.
var codes = map[string]int{"DATA_INTEGRATION": 0, "WORMHOLE": 1, "CALCULATE": 2, "SHELL": 3,
	"CANAAN": 4, "HIVE": 5, "MR": 6}

// Code returns the documented code of the task type name, and whether it has one.
func Code(name string) (int, bool) {
	code, ok := codes[name]
	return code, ok
}

// Name returns the name of a documented task type code, and whether it is one.
func Name(code int) (string, bool) {
	for name, c := range codes {
		if c == code {
			return name, true
		}
	}
	return "", false
}
