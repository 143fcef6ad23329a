import type { Generator } from "./types.js";

export const container: Generator = {
  name: "container",
  description: "Multi-stage Dockerfile (static, non-root, distroless) and an allowlist .dockerignore",
  templates: ["Dockerfile.hbs", "_dockerignore"],
  when: () => true,
  ownership: "platform",
};
