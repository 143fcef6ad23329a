export interface Config {
  /** gitops:go-service:create (@create-gitops-go-service/backstage). */
  gitopsGoService?: {
    /**
     * A create-gitops-go-service preset file on the backend host (defaults, locked answers, policy)
     * that every run of the action is held to; templates can then not pass their own.
     */
    preset?: string;
  };
}
