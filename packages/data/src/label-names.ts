// Class names: from a `labels` attribute (on the y datasets or the file) or given by the caller; every source
// present must agree. Without any, the labels are "0".."K-1" with K = max(y) + 1.

export interface LabelSource {
  names: readonly string[];
  origin: string;
}

/** Most classes a file may imply from its largest label alone (a corrupt label would otherwise allocate GBs). */
export const MAX_CLASSES = 100_000;

/** A labels attribute's value (string array, JSON array text or comma-separated text); undefined when neither. */
export function labelsFromAttribute(value: unknown): readonly string[] | undefined {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value.length === 1 ? labelsFromText(value[0] as string) : value;
  }
  if (typeof value === 'string') return labelsFromText(value);
  return undefined;
}

function labelsFromText(text: string): readonly string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) return parsed;
    } catch {
      // not JSON: read as a comma-separated list below
    }
  }
  return trimmed.split(',').map((s) => s.trim());
}

/** Why a list of names cannot label classes (empty or repeated names, fewer than 2), or undefined when it can. */
export function labelNamesProblem(names: readonly string[]): string | undefined {
  if (names.length < 2)
    return `names ${names.length} class${names.length === 1 ? '' : 'es'}, expected at least 2`;
  const empty = names.indexOf('');
  if (empty >= 0) return `has an empty name at position ${empty}`;
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return `names '${n}' twice`;
    seen.add(n);
  }
  return undefined;
}

/** The one agreed list of names, or an error text when sources disagree or a list is unusable. */
export function resolveLabelNames(sources: readonly LabelSource[]): LabelSource | string | undefined {
  const first = sources[0];
  if (!first) return undefined;
  for (const s of sources) {
    const problem = labelNamesProblem(s.names);
    if (problem) return `${s.origin} ${problem}`;
    if (JSON.stringify(s.names) !== JSON.stringify(first.names)) {
      return `${first.origin} is ${JSON.stringify(first.names)} but ${s.origin} is ${JSON.stringify(s.names)}`;
    }
  }
  return first;
}

export function numberedLabels(k: number): string[] {
  return Array.from({ length: k }, (_, i) => String(i));
}
