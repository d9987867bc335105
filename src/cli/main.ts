#!/usr/bin/env node
import { runCli } from './program';

process.exitCode = runCli(process.argv, { stdout: text => process.stdout.write(text), stderr: text => process.stderr.write(text) });
