// Preloaded into the built CLI (node --import) to make chosen file-system calls fail the way a full
// disk or a folder we may not write in does, which a test running as root cannot arrange otherwise.
// CGGS_FS_FAULTS: JSON [{ "fn": "writeFileSync" | "mkdtemp" | ..., "match": "<substring of the path>", "code": "ENOSPC" }]
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const faults = JSON.parse(process.env.CGGS_FS_FAULTS ?? "[]");
const ERRNO = { ENOSPC: -28, EACCES: -13, EPERM: -1, EROFS: -30, EDQUOT: -122, EIO: -5 };

function fault(code, syscall, p) {
  return Object.assign(new Error(`${code}: simulated failure, ${syscall} '${p}'`), { code, errno: ERRNO[code] ?? -1, syscall, path: p });
}

for (const { fn, match, code } of faults) {
  // Any path argument (rename's source or destination).
  const hit = (...args) => args.some((a) => typeof a === "string" && a.includes(match));
  if (typeof fs[fn] === "function") {
    const real = fs[fn];
    fs[fn] = function (p, ...rest) {
      if (hit(p, ...rest)) throw fault(code, fn.replace(/Sync$/, ""), String(p));
      return real.call(this, p, ...rest);
    };
  }
  if (typeof fs.promises[fn] === "function") {
    const real = fs.promises[fn];
    fs.promises[fn] = async function (p, ...rest) {
      if (hit(p, ...rest)) throw fault(code, fn, String(p));
      return real.call(this, p, ...rest);
    };
  }
}
syncBuiltinESMExports();
