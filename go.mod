module github.com/enos-go/batchprocessing

go 1.23.0

require (
	github.com/go-resty/resty/v2 v2.17.2
	github.com/google/go-querystring v1.2.0
	github.com/jarcoal/httpmock v1.4.2
)

require golang.org/x/net v0.43.0 // indirect
