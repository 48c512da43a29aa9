// Picks the tfjs backend for a run. The optional tfjs-node packages may be absent (offline installs leave them
// out) or present but broken (installed without their native library: requiring them throws "native addon
// module ... can not be found"), so each candidate is *tried*, never tested for presence.
import * as tf from '@tensorflow/tfjs';
import { BACKEND_PREFERENCES, BACKENDS, type BackendName, type BackendPreference } from './backend-names.js';

export { BACKEND_PREFERENCES, BACKENDS, type BackendName, type BackendPreference };

export class BackendError extends Error {
  override name = 'BackendError';
}

/** Loads one candidate and makes it the active tfjs backend, optionally saying which kernels run; throws when it cannot. */
export type BackendLoader = () => Promise<string | undefined>;

export interface BackendAttempt {
  name: BackendName;
  /** Why the candidate was skipped (one line). */
  error: string;
}

export interface BackendChoice {
  requested: BackendPreference;
  name: BackendName;
  /** The tfjs backend that actually runs ('tensorflow', 'cpu', ...). */
  tfBackend: string;
  /** What the backend reports about itself (the fast CPU path: which kernels run, and why if not native). */
  detail?: string;
  /** Candidates tried before `name`, in order, with the reason each was skipped. */
  skipped: BackendAttempt[];
}

// Non-literal specifiers: the optional packages are usually not installed, and TypeScript must not need them.
async function importOptional(specifier: string): Promise<void> {
  await import(specifier);
}

async function activate(name: string): Promise<undefined> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
  return undefined;
}

export const DEFAULT_LOADERS: Readonly<Record<BackendName, BackendLoader>> = {
  'tfjs-node-gpu': async () => {
    await importOptional('@tensorflow/tfjs-node-gpu');
    return activate('tensorflow');
  },
  'tfjs-node': async () => {
    await importOptional('@tensorflow/tfjs-node');
    return activate('tensorflow');
  },
  'fast-cpu': async () => {
    const { useFastCpuBackend } = await import('./fast-cpu/index.js');
    const info = await useFastCpuBackend();
    return info.fallbackReason
      ? `kernels ${info.kernels}: ${info.fallbackReason}`
      : `kernels ${info.kernels} (${info.addon})`;
  },
  cpu: () => activate('cpu'),
};

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  const message = e instanceof Error ? e.message : String(err);
  return message.split('\n').find((line) => line.trim() !== '') ?? 'failed to load';
}

/**
 * Activates the backend for `preference`: 'auto' tries tfjs-node-gpu, tfjs-node, the fast CPU path, then stock
 * cpu, and takes the first that loads; a named backend must load or a BackendError says why.
 */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  loaders: Readonly<Record<BackendName, BackendLoader>> = DEFAULT_LOADERS,
): Promise<BackendChoice> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new BackendError(`unknown backend '${preference}' (expected ${BACKEND_PREFERENCES.join(', ')})`);
  }
  // Our own choice replaces tfjs's "install the node backend" banner that stock cpu prints on first use.
  tf.enableProdMode();
  const candidates = preference === 'auto' ? BACKENDS : [preference];
  const skipped: BackendAttempt[] = [];
  for (const name of candidates) {
    try {
      const detail = await loaders[name]();
      const choice: BackendChoice = { requested: preference, name, tfBackend: tf.getBackend(), skipped };
      if (detail) choice.detail = detail;
      return choice;
    } catch (err) {
      skipped.push({ name, error: reason(err) });
    }
  }
  const tried = skipped.map((s) => `${s.name}: ${s.error}`).join('; ');
  throw new BackendError(
    preference === 'auto'
      ? `no tfjs backend could be loaded (${tried})`
      : `--backend ${preference}: ${tried}`,
  );
}

/** One line for the console: the backend in use and why earlier candidates were skipped. */
export function describeBackend(choice: BackendChoice): string {
  const skipped = choice.skipped.map((s) => `${s.name}: ${s.error}`).join('; ');
  const detail = choice.detail ? `, ${choice.detail}` : '';
  return `Backend: ${choice.name} (tfjs '${choice.tfBackend}'${detail}${skipped ? `; skipped ${skipped}` : ''})`;
}
