package batchprocessing

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The service is inconsistent in how it writes values: ids come as numbers or strings,
// flags as true or 1, counts as 3 or "3", and older samples spell some keys in snake_case
// (inst_id for instId). Every result type decodes through decodeTolerant, which states that
// tolerance once for all of them: a struct's fields say what they hold, and decodeTolerant
// accepts any form of it. Encoding stays as documented.

// decodeTolerant decodes the JSON value b into v, a pointer. Structs are decoded as
// encoding/json does; when that fails on a value of the wrong kind, or b uses an older key
// that a field names in its alias tag (`json:"instId" alias:"inst_id"`), b is rewritten
// into the form v's fields want and decoded again:
//
//   - integer and float fields accept numbers, strings holding them ("42", " 42 ", "4.2e1")
//     and "" (zero);
//   - bool fields accept true and false, 0 and 1, and those as strings;
//   - string fields accept numbers and booleans as their text; a field tagged ,string (an
//     id the documentation types as a string) accepts the bare number too;
//   - nested structs, slices and pointers follow the same rules; types with an
//     UnmarshalJSON of their own decode themselves.
func decodeTolerant(b []byte, v any) error {
	t := reflect.TypeOf(v)
	err := json.Unmarshal(b, v)
	if err == nil && !usesAlias(b, t.Elem()) {
		return nil
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return err // malformed JSON: nothing to repair
	}
	fixed, ok := tolerate(b, t.Elem())
	if !ok {
		return err
	}
	reflect.ValueOf(v).Elem().SetZero()
	return json.Unmarshal(fixed, v)
}

// usesAlias reports whether b may hold a key that a field of t names as an older spelling.
func usesAlias(b []byte, t reflect.Type) bool {
	for _, f := range fieldsOf(t) {
		for _, alias := range f.aliases {
			if bytes.Contains(b, []byte(`"`+alias+`"`)) {
				return true
			}
		}
	}
	return false
}

// tolerate rewrites the JSON value raw into the form that type t decodes. ok is false when
// raw cannot be read as JSON at all.
func tolerate(raw []byte, t reflect.Type) (out []byte, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || decodesItself(t) {
		return raw, true
	}
	switch t.Kind() {
	case reflect.Pointer:
		return tolerate(raw, t.Elem())
	case reflect.Struct:
		return tolerateObject(raw, t)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return raw, true // []byte: base64 text, as encoding/json reads it
		}
		return tolerateArray(raw, t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return asInteger(raw), true
	case reflect.Float32, reflect.Float64:
		return asNumber(raw), true
	case reflect.Bool:
		return asBool(raw), true
	case reflect.String:
		return asString(raw), true
	}
	return raw, true
}

// tolerateObject rewrites a JSON object for struct type t: aliases renamed, values in the
// form their fields want.
func tolerateObject(raw []byte, t reflect.Type) ([]byte, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return raw, err == nil || raw[0] != '{'
	}
	for _, f := range fieldsOf(t) {
		key, value, found := lookupKey(obj, f)
		if !found {
			continue
		}
		if key != f.name {
			delete(obj, key)
		}
		if f.quoted { // the string form is the one to decode
			obj[f.name] = quoteNumber(asInteger(value))
			continue
		}
		fixed, ok := tolerate(value, f.typ)
		if !ok {
			return raw, false
		}
		obj[f.name] = fixed
	}
	out, err := json.Marshal(obj)
	return out, err == nil
}

// lookupKey finds a field's value in obj: by its name, as encoding/json matches it (exact,
// then without regard to case), else by one of its aliases.
func lookupKey(obj map[string]json.RawMessage, f fieldInfo) (string, json.RawMessage, bool) {
	if v, ok := obj[f.name]; ok {
		return f.name, v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, f.name) {
			return k, v, true
		}
	}
	for _, alias := range f.aliases {
		if v, ok := obj[alias]; ok {
			return alias, v, true
		}
	}
	return "", nil, false
}

// tolerateArray rewrites each element of a JSON array for element type elem.
func tolerateArray(raw []byte, elem reflect.Type) ([]byte, bool) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return raw, raw[0] != '['
	}
	for i, item := range items {
		fixed, ok := tolerate(item, elem)
		if !ok {
			return raw, false
		}
		items[i] = fixed
	}
	out, err := json.Marshal(items)
	return out, err == nil
}

// asInteger turns "42", " 42 ", 42.0, "4.2e1" and "" into an integer literal (0 for "");
// anything else is left for encoding/json to refuse.
func asInteger(raw []byte) []byte {
	var n flexInt
	if text, isString := stringText(raw); isString && strings.TrimSpace(text) == "" {
		return []byte("0")
	}
	if n.UnmarshalJSON(raw) != nil {
		return raw
	}
	return strconv.AppendInt(nil, int64(n), 10)
}

// asNumber turns "4.2" and "" into a number literal.
func asNumber(raw []byte) []byte {
	text, isString := stringText(raw)
	if !isString {
		return raw
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return []byte("0")
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		return strconv.AppendFloat(nil, f, 'g', -1, 64)
	}
	return raw
}

// asBool turns 0, 1, "0", "1", "true", "false" and "" into a boolean literal.
func asBool(raw []byte) []byte {
	text := string(raw)
	if s, isString := stringText(raw); isString {
		text = strings.TrimSpace(s)
	}
	switch strings.ToLower(text) {
	case "1", "true":
		return []byte("true")
	case "0", "false", "":
		return []byte("false")
	}
	return raw
}

// asString turns numbers and booleans into strings of their text.
func asString(raw []byte) []byte {
	if raw[0] == '"' || raw[0] == '{' || raw[0] == '[' {
		return raw
	}
	out, _ := json.Marshal(string(raw))
	return out
}

// quoteNumber turns a bare number into the string a ,string field decodes.
func quoteNumber(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == '"' || raw[0] == '{' || raw[0] == '[' || string(raw) == "null" {
		return raw
	}
	out, _ := json.Marshal(string(raw))
	return out
}

// stringText returns the text of a JSON string literal.
func stringText(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	s, err := unquoteJSON(raw)
	return s, err == nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// decodesItself reports whether values of t decode through an UnmarshalJSON of their own.
func decodesItself(t reflect.Type) bool {
	return t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)
}

// fieldInfo is what decodeTolerant needs of a struct field.
type fieldInfo struct {
	name    string   // its JSON key
	aliases []string // older spellings of the key
	quoted  bool     // tagged ,string: a number sent as a string
	typ     reflect.Type
}

var fieldCache sync.Map // reflect.Type -> []fieldInfo

// fieldsOf returns the JSON fields of struct type t, embedded structs' fields included, as
// encoding/json sees them.
func fieldsOf(t reflect.Type) []fieldInfo {
	if t.Kind() != reflect.Struct {
		return nil
	}
	if cached, ok := fieldCache.Load(t); ok {
		return cached.([]fieldInfo)
	}
	var fields []fieldInfo
	for _, sf := range reflect.VisibleFields(t) {
		tag := sf.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if !sf.IsExported() || name == "-" || (sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct) {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		var aliases []string
		if a := sf.Tag.Get("alias"); a != "" {
			aliases = strings.Split(a, ",")
		}
		quoted := slices.Contains(strings.Split(opts, ","), "string")
		fields = append(fields, fieldInfo{name: name, aliases: aliases, quoted: quoted, typ: sf.Type})
	}
	fieldCache.Store(t, fields)
	return fields
}
