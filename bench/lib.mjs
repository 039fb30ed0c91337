// What the benchmark scripts share: reading their options, and checking for the load generator.
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);

/** The value after `--name`, as given; `fallback` when the option is absent. */
export function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/** A positive integer option; a bad value stops the benchmark with a message naming it. */
export function intOption(name, fallback) {
  const given = option(name, undefined);
  const v = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive integer`);
  return v;
}

/** Exits with a clear message when Debian's wrk is missing. */
export function requireWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (e) {
    if (e.code === 'ENOENT') {
      console.error('wrk is not installed (Debian: apt-get install -y wrk)');
      process.exit(1);
    }
  }
}
