package signing

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/internal/signing/signingtest"
)

func TestSignVectors(t *testing.T) {
	t.Parallel()
	for _, v := range signingtest.Load(t, "../../testdata/signing-vectors.json").Signatures {
		q, err := url.ParseQuery(v.Query)
		if err != nil {
			t.Fatal(err)
		}
		var body []byte
		if v.Body != "" {
			body = []byte(v.Body)
		}
		if got := Sign(v.AccessToken, v.SecretKey, v.Timestamp, q, body); got != v.Signature {
			t.Errorf("%s: Sign = %s, want %s", v.Name, got, v.Signature)
		}
	}
}

func TestTokenEncryptionVectors(t *testing.T) {
	t.Parallel()
	for _, v := range signingtest.Load(t, "../../testdata/signing-vectors.json").TokenRequests {
		if got := TokenEncryption(v.AppKey, v.SecretKey, v.Timestamp); got != v.Encryption {
			t.Errorf("%s: TokenEncryption = %s, want %s", v.Name, got, v.Encryption)
		}
	}
}

func TestSignCanonicalization(t *testing.T) {
	t.Parallel()
	base := Sign("tok", "sec", 1, url.Values{"b": {"2"}, "a": {"1"}}, []byte("{}"))
	tests := []struct {
		name  string
		got   string
		equal bool
	}{
		{"key order does not matter", Sign("tok", "sec", 1, url.Values{"a": {"1"}, "b": {"2"}}, []byte("{}")), true},
		{"value changes", Sign("tok", "sec", 1, url.Values{"a": {"1"}, "b": {"3"}}, []byte("{}")), false},
		{"body changes", Sign("tok", "sec", 1, url.Values{"a": {"1"}, "b": {"2"}}, []byte("{ }")), false},
		{"timestamp changes", Sign("tok", "sec", 2, url.Values{"a": {"1"}, "b": {"2"}}, []byte("{}")), false},
		{"token changes", Sign("tok2", "sec", 1, url.Values{"a": {"1"}, "b": {"2"}}, []byte("{}")), false},
		{"secret changes", Sign("tok", "sec2", 1, url.Values{"a": {"1"}, "b": {"2"}}, []byte("{}")), false},
		{"extra param", Sign("tok", "sec", 1, url.Values{"a": {"1"}, "b": {"2"}, "c": {""}}, []byte("{}")), false},
	}
	for _, tt := range tests {
		if (tt.got == base) != tt.equal {
			t.Errorf("%s: equal = %v, want %v", tt.name, tt.got == base, tt.equal)
		}
	}
	// Decoded values are signed: a value with characters that are percent-encoded on the
	// wire signs the same as its decoded form.
	onWire, _ := url.ParseQuery("name=a%20b%2Bc&x=%E6%8F%8F")
	if Sign("t", "s", 1, onWire, nil) != Sign("t", "s", 1, url.Values{"name": {"a b+c"}, "x": {"描"}}, nil) {
		t.Error("percent-encoded and decoded queries sign differently")
	}
}

// plainSign is the documented definition written the obvious way: one string, one hash.
func plainSign(token, secret string, ts int64, q url.Values, body []byte) string {
	var b strings.Builder
	b.WriteString(token)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range q[k] {
			b.WriteString(k + v)
		}
	}
	b.Write(body)
	b.WriteString(strconv.FormatInt(ts, 10) + secret)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// TestSignMatchesDefinition checks the stack path, the streamed path and the boundary
// between them against the plain definition, with more keys than Sign's key array.
func TestSignMatchesDefinition(t *testing.T) {
	t.Parallel()
	q := url.Values{}
	for i := 9; i >= 0; i-- {
		q.Set(fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i))
	}
	q.Add("k3", "second")
	for _, size := range []int{0, 43, 800, 900, 930, 960, 1000, 1024, 1100, 4096, 65536} {
		body := make([]byte, size)
		for i := range body {
			body[i] = 'a' + byte(i%26)
		}
		for _, secret := range []string{"s", strings.Repeat("S", 300)} {
			if got, want := Sign("tok", secret, 1574385824000, q, body), plainSign("tok", secret, 1574385824000, q, body); got != want {
				t.Errorf("body of %d bytes, secret of %d: Sign = %s, want %s", size, len(secret), got, want)
			}
		}
	}
	long := strings.Repeat("x", 2000) // a query past the stack buffer on its own
	if got, want := Sign(long, "s", 1, url.Values{"a": {long}}, nil), plainSign(long, "s", 1, url.Values{"a": {long}}, nil); got != want {
		t.Errorf("long token and query: Sign = %s, want %s", got, want)
	}
}

func BenchmarkSign(b *testing.B) {
	q := url.Values{"action": {"trigger"}, "orgId": {"yourOrgId"}, "userId": {"yourUserId"}}
	for _, size := range []int{43, 4 << 10, 64 << 10} {
		body := make([]byte, size)
		copy(body, `{"flowId":3377,"triggerTime":1574385824000}`)
		b.Run(fmt.Sprintf("body=%dB", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				_ = Sign("61f1575d5daaef1a3d994466e54b97a89aded3be7dbc7ba0efd7b7ddafacf59b", "yourAppSecretKey", 1574385824000, q, body)
			}
		})
	}
}

// TestQueryPartIsWhatSignSigns: Sign is the SHA-256 of the token, QueryPart, the body, the
// timestamp and the secret, for queries with several values, empty values and no keys.
func TestQueryPartIsWhatSignSigns(t *testing.T) {
	t.Parallel()
	for _, q := range []url.Values{
		nil,
		{"action": {"trigger"}, "orgId": {"o"}, "userId": {"u"}},
		{"b": {"2", "1"}, "a": {""}, "expression": {"a b&c=d"}},
	} {
		sum := sha256.Sum256([]byte("tok" + QueryPart(q) + "{}" + "1574385824000" + "secret"))
		if got, want := Sign("tok", "secret", 1574385824000, q, []byte("{}")), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%v: Sign %s, sha256 of the parts %s", q, got, want)
		}
	}
}
