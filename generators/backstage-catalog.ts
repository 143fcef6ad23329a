import type { Generator } from "./types.js";

export const backstageCatalog: Generator = {
  name: "backstage-catalog",
  description: "A Backstage catalog-info.yaml (Component) so the service shows up in a software catalog",
  templates: ["catalog-info.yaml.hbs"],
  when: (c) => c.catalog.enabled,
  ownership: "shared",
};
