package refserver

import (
	"fmt"
	"strings"
)

// This file holds the checks of a request's query parameters and body that the operations
// share. Each returns the operation's documented failure with a reason that names the
// parameter or field and says what is wrong with it, for the X-Refserver-Reason header.

// queryID reads the positive decimal id in the query parameter name; the failure invalid,
// with the reason, when it is missing or not one.
func queryID(c *call, name string, invalid *failure) (int64, *failure) {
	s := c.query.Get(name)
	if v, ok := parseID(s); ok {
		return v, nil
	}
	if s == "" {
		return 0, invalid.because("the query has no " + name)
	}
	return 0, invalid.because(name + " " + shown(s) + ": want a positive integer")
}

// queryText reads the query parameter name, which must not be empty; the failure invalid,
// with the reason, when it is.
func queryText(c *call, name string, invalid *failure) (string, *failure) {
	if s := c.query.Get(name); s != "" {
		return s, nil
	}
	return "", invalid.because("the query has no " + name + " (or an empty one)")
}

// decodeCallBody decodes the body of c into v, a pointer to a request struct; the failure
// invalid, saying which field is wrong and why (decodeRequest), when it is not such a JSON
// object.
func decodeCallBody(c *call, v any, invalid *failure) *failure {
	if err := decodeRequest("", c.body, v); err != nil {
		return invalid.because(err.Error())
	}
	return nil
}

// idField is a mandatory id of a request body, by its wire name.
type idField struct {
	name  string
	value flexInt
}

// requireIDs returns the failure invalid, with the reason, for the first of the ids that is
// missing (absent, null or "") or not positive, or nil.
func requireIDs(invalid *failure, ids ...idField) *failure {
	for _, id := range ids {
		switch {
		case !id.value.set:
			return missing(invalid, id.name)
		case id.value.value <= 0:
			return invalid.because(fmt.Sprintf("%s %d: want a positive id", id.name, id.value.value))
		}
	}
	return nil
}

// requireSet returns the failure invalid, with the reason, when the mandatory field name
// is missing (absent, null or "").
func requireSet(invalid *failure, name string, v flexInt) *failure {
	if !v.set {
		return missing(invalid, name)
	}
	return nil
}

// missing returns the failure invalid, with the reason that the mandatory field name is
// missing: absent, null or "".
func missing(invalid *failure, name string) *failure {
	return invalid.because(name + " is missing (null and \"\" count as missing)")
}

// presence is a mandatory field of a request body, by its wire name, and whether the
// request has it.
type presence struct {
	name    string
	present bool
}

// checkPresent says which of the mandatory fields the request lacks, if any.
func checkPresent(fields ...presence) error {
	var missing []string
	for _, f := range fields {
		if !f.present {
			missing = append(missing, f.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing mandatory field: %s (null counts as missing)", strings.Join(missing, ", "))
}
