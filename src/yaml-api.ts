// What we use of `yaml`, and so all the bundle keeps of it (scripts/build.mjs tree-shakes its ESM build).
export { isMap, isScalar, isSeq, LineCounter, parse, parseDocument } from "yaml";
