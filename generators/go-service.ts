import type { Generator } from "./types.js";

export const goService: Generator = {
  name: "go-service",
  description: "The Go service: main, config, server, health, metrics, its tests, go.mod/go.sum, lint config and Makefile",
  templates: [
    // The example handler is where the team's code starts: never touched by an update.
    { path: "internal/server/handlers.go.hbs", ownership: "team" },
    { path: "_golangci.yml", ownership: "platform" },
    { path: "Makefile.hbs", ownership: "platform" },
    "cmd/",
    "internal/",
    "go.mod.hbs",
    "go.sum",
  ],
  when: () => true,
  ownership: "shared",
};
