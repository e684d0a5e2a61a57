import type { Reporter } from './index.js';

/** The versioned result object itself (schema: src/engine/result.ts, docs/json-schema.md). */
export const json: Reporter = (result) => `${JSON.stringify(result, null, 2)}\n`;
