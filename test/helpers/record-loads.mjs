// Loaded with `node --import`: appends every module URL the process loads to $RECORD_LOADS.
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  if (process.env.RECORD_LOADS) appendFileSync(process.env.RECORD_LOADS, url + "\\n");
  return next(url, context);
}`));
