// What `conv3d-dataset pack` reads: the scans of a folder in one of three layouts, each with its label and split.
// - class folders: root/<class>/*.nii[.gz] (Keras' image_dataset_from_directory; classes sorted by name), or
//   root/train/<class>/… and root/test/<class>/… for the layout's own split;
// - a Medical Segmentation Decathlon folder: dataset.json naming imagesTr/labelsTr pairs and the label names;
// - a CSV of path,label (paths relative to the CSV; a first line "path,label" is a header).
// Without a split of their own, scans are split per class (stratified) by a seeded shuffle.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { permutation } from '@conv3d/core';
import { DataError } from '../errors.js';
import type { Split } from '../layout.js';

export type PackTask = 'classify' | 'segment';

export interface PackItem {
  split: Split;
  /** The scan. */
  image: string;
  /** Classification: the class index. */
  label?: number;
  /** Segmentation: the label volume. */
  labelImage?: string;
}

export interface PackSources {
  task: PackTask;
  layout: 'class-folders' | 'decathlon' | 'csv';
  labels: string[];
  items: PackItem[];
}

export interface SplitOptions {
  seed: number;
  /** Share of each class's scans that goes to test when the layout has no split of its own. */
  testFraction: number;
}

const NIFTI = /\.nii(\.gz)?$/i;

/** Finds the layout of `source` (a folder or a .csv file) and lists its scans. */
export function findSources(source: string, split: SplitOptions): PackSources {
  if (!existsSync(source)) throw new DataError(`${source}: no such file or folder`);
  if (statSync(source).isFile()) {
    if (!/\.csv$/i.test(source))
      throw new DataError(`${source}: expected a folder or a .csv file of path,label`);
    return fromCsv(source, split);
  }
  if (existsSync(join(source, 'dataset.json'))) return fromDecathlon(source, split);
  return fromClassFolders(source, split);
}

function subfolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

function scansIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => NIFTI.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function fromClassFolders(root: string, options: SplitOptions): PackSources {
  const top = subfolders(root);
  const ownSplit = top.length === 2 && top[0] === 'test' && top[1] === 'train';
  if (ownSplit) {
    const labels = subfolders(join(root, 'train'));
    const items: PackItem[] = [];
    for (const split of ['train', 'test'] as const) {
      const classes = subfolders(join(root, split));
      const unknown = classes.find((c) => !labels.includes(c));
      if (unknown !== undefined)
        throw new DataError(`${join(root, split, unknown)}: a class that train/ does not have`);
      for (const [label, name] of labels.entries()) {
        const dir = join(root, split, name);
        if (existsSync(dir)) for (const image of scansIn(dir)) items.push({ split, image, label });
      }
    }
    return checked(root, { task: 'classify', layout: 'class-folders', labels, items });
  }
  const labels = top.filter((name) => scansIn(join(root, name)).length > 0);
  if (labels.length === 0) {
    throw new DataError(`${root}: no dataset.json and no class subfolders holding .nii or .nii.gz files`);
  }
  const byClass = labels.map((name) => scansIn(join(root, name)));
  return checked(root, {
    task: 'classify',
    layout: 'class-folders',
    labels,
    items: splitByClass(byClass, options),
  });
}

function fromCsv(path: string, options: SplitOptions): PackSources {
  const base = dirname(resolve(path));
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim());
  const rows: { image: string; name: string }[] = [];
  lines.forEach((line, i) => {
    if (line === '' || (i === 0 && /^path\s*,\s*label$/i.test(line))) return;
    const comma = line.lastIndexOf(',');
    if (comma <= 0 || comma === line.length - 1) {
      throw new DataError(`${path}: line ${i + 1} is '${line}', expected path,label`);
    }
    rows.push({ image: resolve(base, line.slice(0, comma).trim()), name: line.slice(comma + 1).trim() });
  });
  const names = [...new Set(rows.map((r) => r.name))];
  const numeric = names.every((n) => /^-?\d+$/.test(n));
  const labels = numeric ? names.sort((a, b) => Number(a) - Number(b)) : names.sort();
  const byClass = labels.map((name) => rows.filter((r) => r.name === name).map((r) => r.image));
  return checked(path, { task: 'classify', layout: 'csv', labels, items: splitByClass(byClass, options) });
}

interface DecathlonJson {
  labels?: Record<string, string>;
  training?: { image?: string; label?: string }[];
}

function fromDecathlon(root: string, options: SplitOptions): PackSources {
  const file = join(root, 'dataset.json');
  let json: DecathlonJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as DecathlonJson;
  } catch (error) {
    throw new DataError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const entries = Object.entries(json.labels ?? {});
  const indices = entries.map(([k]) => Number(k));
  if (entries.length < 2 || indices.some((k, i) => k !== i)) {
    throw new DataError(`${file}: 'labels' must map "0", "1", … (consecutive, background first) to names`);
  }
  const labels = entries.map(([, name]) => name);
  const training = json.training ?? [];
  if (training.length === 0) throw new DataError(`${file}: 'training' lists no image/label pairs`);
  const pairs = training.map((t, i) => {
    if (typeof t.image !== 'string' || typeof t.label !== 'string') {
      throw new DataError(`${file}: training[${i}] needs 'image' and 'label' paths`);
    }
    return { image: join(root, t.image), labelImage: join(root, t.label) };
  });
  const order = permutation(pairs.length, options.seed);
  const testCount = testCountOf(pairs.length, options.testFraction);
  const items = Array.from(order, (p, rank) => ({
    split: (rank < testCount ? 'test' : 'train') as Split,
    ...(pairs[p] as { image: string; labelImage: string }),
  }));
  return checked(root, { task: 'segment', layout: 'decathlon', labels, items: sortBySplit(items) });
}

function testCountOf(n: number, fraction: number): number {
  return Math.min(n - 1, Math.round(n * fraction));
}

function splitByClass(byClass: readonly string[][], options: SplitOptions): PackItem[] {
  const items: PackItem[] = [];
  byClass.forEach((images, label) => {
    const order = permutation(images.length, options.seed + label);
    const testCount = testCountOf(images.length, options.testFraction);
    order.forEach((p, rank) => {
      items.push({ split: rank < testCount ? 'test' : 'train', image: images[p] as string, label });
    });
  });
  return sortBySplit(items);
}

// Rows keep a stable, readable order: train then test, and by file name within a split.
function sortBySplit(items: PackItem[]): PackItem[] {
  const key = (i: PackItem) => `${i.split === 'train' ? 0 : 1}${i.image}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function checked(source: string, sources: PackSources): PackSources {
  for (const split of ['train', 'test'] as const) {
    if (!sources.items.some((i) => i.split === split)) {
      throw new DataError(`${source}: no scans for the ${split} split (${sources.items.length} scans found)`);
    }
  }
  const missing = sources.items.find(
    (i) => !existsSync(i.image) || (i.labelImage && !existsSync(i.labelImage)),
  );
  if (missing) {
    const path = existsSync(missing.image) ? (missing.labelImage as string) : missing.image;
    throw new DataError(`${source}: ${basename(path)} is listed but ${path} does not exist`);
  }
  return sources;
}
