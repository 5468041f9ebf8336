package refserver

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/enos-go/batchprocessing/internal/gatewayquery"
)

// requestFilter picks requests of the log by what GET /_refserver/requests names in its
// query: method, path, action, status and code, each matched exactly when given.
type requestFilter struct {
	method, path, action string
	status, code         *int
}

// requestFilterOf reads the filter of r's query; requests, how many to show, is read
// apart (lastN). An unknown parameter or a number that is not one is a bad request.
func requestFilterOf(r *http.Request) (requestFilter, error) {
	var f requestFilter
	for key, values := range gatewayquery.Parse(r.URL.RawQuery) {
		value := values[len(values)-1]
		var err error
		switch key {
		case "requests":
		case "method":
			f.method = strings.ToUpper(value)
		case "path":
			f.path = value
		case "action":
			f.action = value
		case "status":
			f.status, err = intParam(key, value)
		case "code":
			f.code, err = intParam(key, value)
		default:
			return f, badRequest("unknown query parameter %q: want requests, method, path, action, status or code", key)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// intParam reads the integer value of the query parameter key.
func intParam(key, value string) (*int, error) {
	n, err := strconv.Atoi(value)
	if err != nil {
		return nil, badRequest("%s %q: want an integer", key, value)
	}
	return &n, nil
}

// matches reports whether r is one of the requests f picks.
func (f requestFilter) matches(r Request) bool {
	return (f.method == "" || r.Method == f.method) && (f.path == "" || r.Path == f.path) &&
		(f.action == "" || r.Action == f.action) && (f.status == nil || r.Status == *f.status) &&
		(f.code == nil || r.Code == *f.code)
}

// lastMatching returns the last n of requests (oldest first) that f picks, oldest first
// too.
func (f requestFilter) lastMatching(requests []Request, n int) []Request {
	var picked []Request
	for _, r := range requests {
		if f.matches(r) {
			picked = append(picked, r)
		}
	}
	return picked[max(len(picked)-n, 0):]
}
