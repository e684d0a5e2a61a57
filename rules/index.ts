// Alphabetical. test/registry.test.ts fails if a file in rules/ is missing here.
import type { AnyRule } from '../src/engine/rule.js';
import debugModeEnabled from './debug-mode-enabled.js';

export const rules: readonly AnyRule[] = [debugModeEnabled];
