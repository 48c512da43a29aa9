// A NIfTI scan segmented: prepared as the segmenter's contract says (the same rule as a classifier's scan, but kept
// at its prepared size: the windows are the model's patch, or the whole volume for a free-size model), segmented,
// and the label map put back on the scan's own grid and axis order, ready for writeLabelNifti.
import type { NiftiImage } from '../nifti/read.js';
import type { Segmentation, Segmenter, SegmentOptions } from '../segment/segmenter.js';
import { checkScanChannels, scanPreparation } from './nifti-input.js';
import { labelsToScan, prepareScan } from './prepare-scan.js';

export interface ScanSegmentation {
  /** One label per voxel of the scan, in its stored axis order (i fastest): `writeLabelNifti(labels, image)`. */
  labels: Uint16Array;
  /** The segmentation of the prepared volume: its dims, window size and window count. */
  prepared: Segmentation;
}

/** Segments a read scan (readNifti / readNiftiFile) with any runtime's segmenter; see the file comment. */
export async function segmentScan(
  segmenter: Pick<Segmenter, 'contract' | 'segment'>,
  image: NiftiImage,
  options: SegmentOptions = {},
): Promise<ScanSegmentation> {
  const { contract } = segmenter;
  checkScanChannels(image, contract);
  const preparation = scanPreparation(contract);
  const { row, shape } = prepareScan(image, preparation);
  const prepared = await segmenter.segment({ data: row, dims: shape }, options);
  return { labels: labelsToScan(prepared.labels, image, preparation), prepared };
}
