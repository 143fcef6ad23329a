// createMockActionContext builds its spies with the global `jest` (Backstage tests run under Jest).
import { vi } from "vitest";

(globalThis as unknown as { jest: typeof vi }).jest = vi;
