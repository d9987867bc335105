#!/usr/bin/env node
import { runCliAsync } from './program';

// A reader that stops early (`check ... | head`) closes the pipe: that ends the output, not in an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit();
  throw e;
});

void runCliAsync(process.argv, { stdout: text => process.stdout.write(text), stderr: text => process.stderr.write(text) }).then(code => {
  process.exitCode = code;
});
