// A git smart-HTTP server over TLS for test/gitops.test.ts (built by scripts/build-cluster.sh).
// Standard library only.
module local/cluster-githttp

go 1.26.8
