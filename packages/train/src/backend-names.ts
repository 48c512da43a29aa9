// Backend names on their own, so the CLI can check flags without importing tfjs.
export const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'fast-cpu', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKENDS];
