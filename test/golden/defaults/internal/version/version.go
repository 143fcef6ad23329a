// Package version holds the build's version and commit. The build sets them with
//
//	-ldflags "-X github.com/acme/my-svc/internal/version.Version=v1.2.3 -X github.com/acme/my-svc/internal/version.Commit=<sha>"
//
// because the container build context has no .git, so Go's own VCS stamping cannot see them.
package version

// Set by -ldflags -X at build time; the defaults mark a local, unstamped build.
var (
	Version = "dev"
	Commit  = "unknown"
)
