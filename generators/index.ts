// Everything the tool can write, one generator per concern. A test proves every file under
// templates/ is owned by exactly one of these.
import { goService } from "./go-service.js";
import { container } from "./container.js";
import { repoFiles } from "./repo-files.js";
import { kubernetes } from "./kubernetes.js";
import { argocd } from "./argocd.js";
import { flux } from "./flux.js";
import { ciGithub } from "./ci-github.js";
import { ciGitlab } from "./ci-gitlab.js";
import { releaseScripts, templateUpdate } from "./release-scripts.js";
import { backstageCatalog } from "./backstage-catalog.js";
import { monitoring } from "./monitoring.js";
import type { Generator } from "./types.js";

export type { Generator, Owned, Ownership } from "./types.js";

export const generators: readonly Generator[] = [goService, container, repoFiles, kubernetes, argocd, flux, ciGithub, ciGitlab, releaseScripts, templateUpdate, monitoring, backstageCatalog];
