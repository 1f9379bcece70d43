#!/usr/bin/env node
import { buildProgram, reportError } from './program.js';

// `sim-dse ... | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Killed by a signal: exit through process.exit so that exit handlers run
// (compilers killed, temporary folders and run locks removed). `run` adds
// its own SIGINT listener for a graceful stop; while it is there, this one
// leaves the first Ctrl-C to it.
for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) process.on(signal, () => process.exit(code));
process.on('SIGINT', () => {
  if (process.listenerCount('SIGINT') === 1) process.exit(130);
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}
