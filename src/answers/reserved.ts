// Names a cluster or its GitOps controllers own (issue #29). A generated object with one of these
// names does not create something new: it takes over what is there. A Namespace with a restricted
// Pod Security label and an Application with prune and a finalizer in kube-system; AppProject default,
// which every Application without a project of its own uses; Flux's own GitRepository, which would
// point Flux's self-sync at this repository.

/**
 * Namespaces that Kubernetes creates, and those the platform components this repository's
 * manifests talk to (or that commonly run beside them) are installed in by their docs.
 */
export const SYSTEM_NAMESPACES = [
  "default", "kube-system", "kube-public", "kube-node-lease",
  "argocd", "argo-rollouts", "flux-system", "cert-manager", "ingress-nginx", "monitoring", "external-secrets",
  "gatekeeper-system", "kyverno", "istio-system", "linkerd", "calico-system", "tigera-operator", "metallb-system",
  "local-path-storage", "kubernetes-dashboard", "velero", "olm", "operators",
];

/**
 * Prefixes and a suffix reserved by convention: `kube-` (Kubernetes), `openshift-` (OpenShift refuses
 * them to users), and `-system`, the controllers' convention (an environment named `system` is no
 * environment).
 */
const RESERVED_PREFIXES = ["kube-", "openshift-"];
const RESERVED_SUFFIX = "-system";

/** Why a namespace is not ours to create, or undefined. */
export function systemNamespace(namespace: string): string | undefined {
  if (SYSTEM_NAMESPACES.includes(namespace)) return "is a system namespace (Kubernetes' own, or a platform component's)";
  const prefix = RESERVED_PREFIXES.find((p) => namespace.startsWith(p));
  if (prefix) return `starts with '${prefix}', which the cluster reserves for its own namespaces`;
  if (namespace.endsWith(RESERVED_SUFFIX)) return `ends in '${RESERVED_SUFFIX}', the namespace of a cluster component by convention`;
  return undefined;
}

/** Argo CD's built-in project: usable as an existing project (nothing written), never generated. */
export const ARGOCD_BUILTIN_PROJECTS = ["default"];

/** The GitRepository and Kustomization `flux bootstrap` creates in flux-system to sync Flux itself. */
export const FLUX_OWN_OBJECTS = ["flux-system"];
