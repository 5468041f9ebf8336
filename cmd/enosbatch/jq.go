package main

import (
	"bytes"
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

// print runs the query on v's JSON document and writes each result on its own line, as gh
// --jq and jq -r do: a string as it is, anything else as compact JSON. An error of the
// query on this document (".foo" of an array) is a usage error.
func (q *jqQuery) print(w io.Writer, v any) error {
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
	var out bytes.Buffer
	iter := q.code.Run(input)
	for {
		result, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := result.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break // halt: stop without an error
			}
			return usagef("--jq %q: %v", q.expr, err)
		}
		if s, isString := result.(string); isString {
			out.WriteString(s)
		} else {
			b, err := gojq.Marshal(result)
			if err != nil {
				return err
			}
			out.Write(b)
		}
		out.WriteByte('\n')
	}
	_, err = fmt.Fprint(w, out.String())
	return err
}
