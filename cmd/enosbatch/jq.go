package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/itchyny/gojq"
)

// jqQuery is a compiled --jq expression. It sees the command's JSON output and nothing
// else: no environment ($ENV is empty, so no secret can leak through it), no input files.
type jqQuery struct {
	expr string
	code *gojq.Code
}

// compileJQ compiles expr; a syntax error is a usage error, found before any network call.
func compileJQ(expr string) (*jqQuery, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, usagef("--jq %q: %v", expr, err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, usagef("--jq %q: %v", expr, err)
	}
	return &jqQuery{expr: expr, code: code}, nil
}

// print runs the query on v's JSON document and writes each result on its own line as it
// comes, as gh --jq and jq -r do: a string as it is, anything else as compact JSON. An error
// of the query on this document (".foo" of an array) is an outputError: the command has
// done its calls, and only its output failed (a usage error would say nothing ran). When ctx ends
// (--timeout, Ctrl-C, SIGTERM), the query stops with ctx's error.
func (q *jqQuery) print(ctx context.Context, w io.Writer, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var input any
	if err := dec.Decode(&input); err != nil {
		return err
	}
	iter := q.code.RunWithContext(ctx, input)
	for {
		result, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := result.(error); isErr {
			var halt *gojq.HaltError
			switch {
			case errors.As(err, &halt) && halt.Value() == nil:
				return nil // halt: stop without an error
			case ctx.Err() != nil:
				return ctx.Err()
			}
			return &outputError{err: fmt.Errorf("--jq %q: %v", q.expr, err), explained: true}
		}
		if err := writeResult(w, result); err != nil {
			return err
		}
	}
}

// writeResult writes one result of a query on its own line: a string as it is, anything
// else as compact JSON.
func writeResult(w io.Writer, result any) error {
	line, isString := result.(string)
	if !isString {
		b, err := gojq.Marshal(result)
		if err != nil {
			return err
		}
		line = string(b)
	}
	_, err := io.WriteString(w, line+"\n")
	return err
}
