package batchprocessing

import (
	"net/url"
	"reflect"
	"sync"

	"github.com/google/go-querystring/query"
)

// The bounds of queryCache: at most maxCachedQueries entries, each of a query whose
// encoding is at most maxCachedQueryBytes long, so the cache holds well under 256 KiB
// however long the free text that callers put in queries (a search expression, say). Past
// them, queries are encoded on every call.
const (
	maxCachedQueries    = 256
	maxCachedQueryBytes = 256
)

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

// encode returns the query struct q encoded with go-querystring, and its URL form. Only
// comparable struct values (strings and numbers) are cached; others are encoded each time.
func (qc *queryCache) encode(q any) (url.Values, string, error) {
	if q == nil || !reflect.TypeOf(q).Comparable() {
		return encodeQuery(q)
	}
	qc.mu.RLock()
	e, ok := qc.entries[q]
	qc.mu.RUnlock()
	if ok {
		return e.values, e.raw, nil
	}
	values, raw, err := encodeQuery(q)
	if err != nil || len(raw) > maxCachedQueryBytes {
		return values, raw, err
	}
	qc.mu.Lock()
	if qc.entries == nil {
		qc.entries = make(map[any]encodedQuery)
	}
	if len(qc.entries) < maxCachedQueries {
		qc.entries[q] = encodedQuery{values: values, raw: raw}
	}
	qc.mu.Unlock()
	return values, raw, nil
}

// encodeQuery encodes a query struct with go-querystring.
func encodeQuery(q any) (url.Values, string, error) {
	values, err := query.Values(q)
	if err != nil {
		return nil, "", err
	}
	return values, values.Encode(), nil
}
