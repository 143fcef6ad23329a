/** The resolved answers: every question in src/questions.ts has exactly one field here. */
export interface Answers {
  directory: string;
  name: string;
  module: string;
  owner: string;
  description: string;
  port: number;
  /** `NAME` (required) or `NAME=default`, in the order given. */
  env: string[];
  secret: string[];
  registry: string;
  repoUrl: string;
  gitops: "argocd" | "flux" | "none";
  argocdMode: "applications" | "applicationset";
  ci: "github" | "gitlab" | "none";
  environments: string[];
  secrets: "external-secrets" | "none";
  monitoring: boolean;
  networkPolicy: boolean;
}
