module github.com/create-gitops-go-service/tools/gopath-check

go 1.26.7

require golang.org/x/mod v0.32.0
