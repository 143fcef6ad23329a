module github.com/create-gitops-go-service/tools/dashboard-check

go 1.26.7

require github.com/grafana/grafana-foundation-sdk/go v0.0.22
