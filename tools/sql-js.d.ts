// sql.js publishes no types: tools/real/run.mjs uses what it loads untyped (any), for tsc
// (tools/tsconfig.json).
declare module 'sql.js';
