// One template as it arrives: read from a folder, or inlined by the build (bundled-templates.ts).
export interface TemplateFile {
  /** Path under templates/, POSIX separators, as stored (e.g. `cmd/[name]/main.go.hbs`). */
  id: string;
  /** The bytes as stored: always for copied files; for `.hbs` only when read as source. */
  content?: Buffer;
  /** A `.hbs` template precompiled at build time (the published bundle). */
  spec?: unknown;
  /** sha256 of the stored bytes, whichever form the template arrives in (provenance digests it). */
  sha256: string;
  /** The file a user gave it in (--templates): its mistakes are theirs to fix, not our bugs. */
  origin?: string;
}
