package batchprocessing

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"
)

// signingVectors is the layout of testdata/signing-vectors.json (spec section 1.6).
type signingVectors struct {
	Signatures []struct {
		Name        string `json:"name"`
		AccessToken string `json:"accessToken"`
		SecretKey   string `json:"secretKey"`
		Timestamp   int64  `json:"timestamp"`
		Query       string `json:"query"`
		Body        string `json:"body"`
		Signature   string `json:"signature"`
	} `json:"signatures"`
	TokenRequests []struct {
		Name       string `json:"name"`
		AppKey     string `json:"appKey"`
		SecretKey  string `json:"secretKey"`
		Timestamp  int64  `json:"timestamp"`
		Encryption string `json:"encryption"`
		Body       string `json:"body"`
	} `json:"tokenRequests"`
}

func loadSigningVectors(t testing.TB) signingVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/signing-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v signingVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Signatures) < 4 || len(v.TokenRequests) < 1 {
		t.Fatalf("testdata/signing-vectors.json has %d signatures and %d token requests", len(v.Signatures), len(v.TokenRequests))
	}
	return v
}

func TestSignVectors(t *testing.T) {
	for _, v := range loadSigningVectors(t).Signatures {
		t.Run(v.Name, func(t *testing.T) {
			q, err := url.ParseQuery(v.Query)
			if err != nil {
				t.Fatal(err)
			}
			var body []byte
			if v.Body != "" {
				body = []byte(v.Body)
			}
			if got := Sign(v.AccessToken, v.SecretKey, v.Timestamp, q, body); got != v.Signature {
				t.Errorf("Sign = %s, want %s", got, v.Signature)
			}
		})
	}
}

func TestTokenRequestVectors(t *testing.T) {
	for _, v := range loadSigningVectors(t).TokenRequests {
		t.Run(v.Name, func(t *testing.T) {
			if got := tokenEncryption(v.AppKey, v.SecretKey, v.Timestamp); got != v.Encryption {
				t.Errorf("tokenEncryption = %s, want %s", got, v.Encryption)
			}
			body, err := json.Marshal(tokenRequestBody{AppKey: v.AppKey, Encryption: v.Encryption, Timestamp: v.Timestamp})
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != v.Body {
				t.Errorf("token request body = %s, want %s", body, v.Body)
			}
		})
	}
}

func TestSignCanonicalization(t *testing.T) {
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

func TestSignManyKeysAndLargeBody(t *testing.T) {
	// More keys than Sign's stack array and a body larger than its stack buffer.
	q := url.Values{}
	for _, k := range []string{"k9", "k8", "k7", "k6", "k5", "k4", "k3", "k2", "k1", "k0"} {
		q.Set(k, k+"v")
	}
	body := make([]byte, 5000)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	want := Sign("t", "s", 7, q, body)
	if got := Sign("t", "s", 7, q, body); got != want || len(got) != 64 {
		t.Fatalf("unstable or malformed signature %q", got)
	}
	body[4999] ^= 1
	if Sign("t", "s", 7, q, body) == want {
		t.Error("a change at the end of a large body does not change the signature")
	}
}

func BenchmarkSign(b *testing.B) {
	q := url.Values{"action": {"trigger"}, "orgId": {"yourOrgId"}, "userId": {"yourUserId"}}
	body := []byte(`{"flowId":3377,"triggerTime":1574385824000}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = Sign("61f1575d5daaef1a3d994466e54b97a89aded3be7dbc7ba0efd7b7ddafacf59b", "yourAppSecretKey", 1574385824000, q, body)
	}
}
