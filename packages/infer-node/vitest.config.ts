import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// --expose-gc: the memory test collects garbage before each reading, so it measures leaks, not GC timing.
export default mergeConfig(shared, { test: { execArgv: ['--expose-gc'] } });
