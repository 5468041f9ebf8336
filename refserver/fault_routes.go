package refserver

import (
	"net/http"
	"slices"
	"strings"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// This file holds the checks of a fault the control API is asked to arm. Faults are
// matched before any routing, so a fault on a route the service does not serve would only
// answer requests the service refuses anyway (a 404, an invalid action): such a fault is
// almost always a typo in a test (action "Trigger"), which would never fire for the
// client's real requests, and is refused rather than kept silently; so is a fault without
// effect. InjectFault, for Go tests, takes any route.

// checkRoute says why route r is not one the service serves, if it is not: its path is not
// an EnOS route, its method is not one the path takes, or its action is not one of the
// operations of that method and path. The valid values are listed.
func checkRoute(r Route) error {
	if r.Path == signing.TokenGetPath || r.Path == signing.TokenRefreshPath {
		switch {
		case r.Method != http.MethodPost:
			return badRequest("method %q: the token service takes POST only", r.Method)
		case r.Action != "":
			return badRequest("action %q: the token service has no actions; leave action out", r.Action)
		}
		return nil
	}
	resource, ok := strings.CutPrefix(r.Path, batchPrefix)
	if !ok || !resources[resource] {
		return badRequest("path %q is no EnOS route: want %s, %s, or %s followed by one of %s",
			r.Path, signing.TokenGetPath, signing.TokenRefreshPath, batchPrefix, strings.Join(resourcePaths(), ", "))
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return badRequest("method %q: the operations take GET or POST", r.Method)
	}
	if r.Action == "" {
		return nil
	}
	actions := resourceActions(r.Method, resource)
	if !slices.Contains(actions, r.Action) {
		return badRequest("action %q: %s %s has the actions %s (case matters), or none for all of them",
			r.Action, r.Method, r.Path, strings.Join(actions, ", "))
	}
	return nil
}

// checkEffect says why a fault could never have an effect, or an effect of one of its
// fields could never apply, if so: a fault needs a status, a code, a delay or
// dropAfterProcessing; status answers at the gateway, before code or dropAfterProcessing
// could; retryAfter goes with status.
func checkEffect(f Fault) error {
	switch {
	case f.Status == 0 && f.Code == 0 && f.Delay == 0 && !f.DropAfterProcessing:
		return badRequest("the fault has no effect: give it a status, a code, a delay or dropAfterProcessing")
	case f.Status != 0 && f.Code != 0:
		return badRequest("status %d and code %d cannot both apply: status answers at the gateway, code in the service's answer; arm one", f.Status, f.Code)
	case f.DropAfterProcessing && (f.Status != 0 || f.Code != 0):
		return badRequest("dropAfterProcessing serves the request, which a status or a code answers without serving: arm one")
	case f.RetryAfter != 0 && f.Status == 0:
		return badRequest("retryAfter goes with a status: the Retry-After header is sent with the status alone")
	}
	return nil
}

// resourcePaths lists the resources of the Batch Processing Service, sorted.
func resourcePaths() []string {
	out := make([]string, 0, len(resources))
	for r := range resources {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// resourceActions lists the actions of the operations taking method on resource, sorted.
func resourceActions(method, resource string) []string {
	var out []string
	for op := range operations {
		if op.method == method && op.resource == resource {
			out = append(out, op.action)
		}
	}
	slices.Sort(out)
	return out
}
