// @conv3d/core/node: the Node-only plumbing every conv3d package shares (Node built-ins only, no npm dependencies).
export {
  DiskFullError,
  isDiskFull,
  temporaryPath,
  writeAtomic,
  writeAtomicSync,
  writeFileAtomic,
} from './atomic.js';
export {
  type CliInfo,
  type CliIo,
  type CliMain,
  oneLine,
  parseCommandLine,
  processIo,
  runCli,
  runMain,
  UsageError,
} from './cli.js';
export { readNiftiFile } from './nifti-file.js';
