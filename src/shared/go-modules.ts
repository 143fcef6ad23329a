// The Go modules the generated go.mod requires (templates/go.sum is tidied against exactly these).
// They live here, not in render/versions.ts, so that answers/ can refuse a module path that collides
// with one of them (issue #29); versions.ts re-exports them, so every version is still found there.

/** Required directly: the only dependency of the generated service. */
export const goDirect = {
  // renovate: datasource=go depName=github.com/prometheus/client_golang
  clientGolang: "v1.24.1",
} as const;

/** client_golang's own requirements, as `go mod tidy` writes them into the `// indirect` block. */
export const goIndirect = [
  { path: "github.com/beorn7/perks", version: "v1.0.1" },
  { path: "github.com/cespare/xxhash/v2", version: "v2.3.0" },
  { path: "github.com/munnerz/goautoneg", version: "v0.0.0-20191010083416-a7dc8b61c822" },
  { path: "github.com/prometheus/client_model", version: "v0.6.2" },
  { path: "github.com/prometheus/common", version: "v0.70.1" },
  { path: "github.com/prometheus/procfs", version: "v0.21.1" },
  { path: "golang.org/x/sys", version: "v0.47.0" },
  { path: "google.golang.org/protobuf", version: "v1.36.11" },
] as const;

/** Every module path the generated go.mod requires. */
export const goModulePaths: readonly string[] = ["github.com/prometheus/client_golang", ...goIndirect.map((m) => m.path)];
