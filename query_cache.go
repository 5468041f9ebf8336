package batchprocessing

import (
	"net/url"
	"sync"

	"github.com/google/go-querystring/query"
)

// maxCachedQueries bounds queryCache: past it, queries are encoded on every call.
const maxCachedQueries = 256

// queryCache remembers the encoding of the query structs a client sends again and again
// (the same action, organization and user, often the same flow). go-querystring encodes by
// reflection, a dozen allocations a call; a hit costs none. The cached url.Values are
// shared and must only be read.
type queryCache struct {
	mu      sync.RWMutex
	entries map[any]encodedQuery
}

type encodedQuery struct {
	values url.Values
	raw    string // values.Encode()
}

// encode returns the query struct q encoded with go-querystring, and its URL form. q must
// be a comparable struct value (strings and numbers), as the request path's queries are.
func (qc *queryCache) encode(q any) (url.Values, string, error) {
	qc.mu.RLock()
	e, ok := qc.entries[q]
	qc.mu.RUnlock()
	if ok {
		return e.values, e.raw, nil
	}
	values, err := query.Values(q)
	if err != nil {
		return nil, "", err
	}
	e = encodedQuery{values: values, raw: values.Encode()}
	qc.mu.Lock()
	if qc.entries == nil {
		qc.entries = make(map[any]encodedQuery)
	}
	if len(qc.entries) < maxCachedQueries {
		qc.entries[q] = e
	}
	qc.mu.Unlock()
	return e.values, e.raw, nil
}
