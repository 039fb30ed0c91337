#!/usr/bin/env node
// The feedmirror command line: each capability registers its own commands.
import { Command } from 'commander';
import { commands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('feedmirror')
    .description('Self-hosted news feed mirror and archive')
    .version('0.1.0')
    .showHelpAfterError();
  for (const register of commands) register(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
