#!/usr/bin/env node
import { runPredict } from './predict-command.js';

process.exitCode = await runPredict(process.argv.slice(2));
