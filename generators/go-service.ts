import type { Generator } from "./types.js";

export const goService: Generator = {
  name: "go-service",
  description: "The Go service: main, config, server, health, metrics, its tests, go.mod/go.sum, lint config and Makefile",
  templates: ["cmd/", "internal/", "go.mod.hbs", "go.sum", "_golangci.yml", "Makefile.hbs"],
  when: () => true,
};
