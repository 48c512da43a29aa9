#!/usr/bin/env node
import * as tf from '@tensorflow/tfjs';
import { runCli } from './cli-main.js';

// Loading weights puts tensors on stock cpu, whose first use prints an "install tfjs-node" banner: the exporter
// runs no kernels, so the advice does not apply.
tf.enableProdMode();
process.exitCode = await runCli(process.argv.slice(2));
