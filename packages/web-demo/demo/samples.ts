// The real 3D MNIST test samples bundled with the page (written by scripts/make-demo-samples.ts).

export interface DemoSample {
  /** Row in the dataset's X_test. */
  index: number;
  label: number;
  values: number[];
}

export interface DemoSamples {
  source: string;
  split: string;
  samples: DemoSample[];
}

export async function fetchSamples(url: string): Promise<DemoSamples> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: samples could not be fetched (HTTP ${response.status})`);
  return (await response.json()) as DemoSamples;
}
