/** A problem with a dataset file or its contents; the message is one line naming the file and the dataset. */
export class DataError extends Error {
  override name = 'DataError';
}
