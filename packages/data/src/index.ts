export * from './contract.js';
export * from './preprocess.js';
