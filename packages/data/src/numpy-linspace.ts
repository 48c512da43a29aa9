/**
 * numpy.linspace(start, stop, num) with numpy's rounding: value i is i·step + start (two roundings), and the last
 * value is set to stop. Voxel boundaries computed any other way move points that sit exactly on them.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}
