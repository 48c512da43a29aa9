// The building blocks of config validation: value checks that say what was expected, and one-line errors
// naming the file and field. Shared by the layers, the optimizer and the config's optional sections.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Returns what was expected when `value` is bad, else undefined. */
export type Check = (value: unknown) => string | undefined;

const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
export const positiveInt: Check = (v) => (isPosInt(v) ? undefined : 'a positive integer');
export const seedInt: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff
    ? undefined
    : 'an integer in [0, 4294967295]';
export const triple: Check = (v) =>
  isPosInt(v) || (Array.isArray(v) && v.length === 3 && v.every(isPosInt))
    ? undefined
    : 'a positive integer or an array of 3 positive integers';
export const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
export const nonEmptyString: Check = (v) =>
  typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string';
export const shape: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every(isPosInt) ? undefined : 'an array of positive integers';
export const oneOf =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v) ? undefined : `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
export const numberIn =
  (lo: number, hi: number, { loOpen = false, hiOpen = false } = {}): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi)
      ? undefined
      : `a number in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
export const positiveNumber: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a positive number';

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkFields(
  where: string,
  obj: Record<string, unknown>,
  fields: Readonly<Record<string, Check>>,
  required: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    const check = fields[key];
    if (!check) {
      throw new ConfigError(
        `${where}: unknown key '${key}' (allowed: ${Object.keys(fields).join(', ') || 'none'})`,
      );
    }
    const expected = check(obj[key]);
    if (expected) throw new ConfigError(`${where}: '${key}' must be ${expected}, got ${show(obj[key])}`);
  }
  for (const key of required) {
    if (!(key in obj)) throw new ConfigError(`${where}: missing required key '${key}'`);
  }
}

/** Checks an object-valued section of the config (keys, values, required keys) and fills in its defaults. */
export function parseSection<T>(
  where: string,
  raw: unknown,
  fields: Readonly<Record<string, Check>>,
  required: readonly string[],
  defaults: object,
): T {
  if (!isRecord(raw)) throw new ConfigError(`${where}: expected an object`);
  checkFields(where, raw, fields, required);
  return { ...defaults, ...raw } as T;
}
