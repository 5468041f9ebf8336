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
	entries map[queryKey]encodedQuery
}

// queryKey is a request's path and its query struct (the client's endpoint is the same
// for all of them).
type queryKey struct {
	path  string
	query any
}

type encodedQuery struct {
	values url.Values
	url    string // endpoint + path + "?" + values.Encode()
}

// encode returns the query struct q encoded with go-querystring, and the URL of path below
// endpoint with that query. Only comparable struct values (strings and numbers) are
// cached; others are encoded each time.
func (qc *queryCache) encode(endpoint, path string, q any) (url.Values, string, error) {
	if q == nil || !reflect.TypeOf(q).Comparable() {
		return encodeQuery(endpoint+path, q)
	}
	key := queryKey{path, q}
	qc.mu.RLock()
	e, ok := qc.entries[key]
	qc.mu.RUnlock()
	if ok {
		return e.values, e.url, nil
	}
	values, u, err := encodeQuery(endpoint+path, q)
	if err != nil || len(u)-len(endpoint)-len(path) > maxCachedQueryBytes {
		return values, u, err
	}
	qc.mu.Lock()
	if qc.entries == nil {
		qc.entries = make(map[queryKey]encodedQuery)
	}
	if len(qc.entries) < maxCachedQueries {
		qc.entries[key] = encodedQuery{values: values, url: u}
	}
	qc.mu.Unlock()
	return values, u, nil
}

// encodeQuery encodes a query struct with go-querystring into base's URL.
func encodeQuery(base string, q any) (url.Values, string, error) {
	values, err := query.Values(q)
	if err != nil {
		return nil, "", err
	}
	return values, base + "?" + values.Encode(), nil
}
