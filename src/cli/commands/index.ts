import type { Command } from 'commander';
import { register as parse } from './parse.ts';
import { register as archive } from './archive.ts';
import { register as subscriptions } from './subscriptions.ts';
import { register as fetch } from './fetch.ts';
import { register as clean } from './clean.ts';
import { register as extract } from './extract.ts';
import { register as run } from './run.ts';
import { register as mirror } from './mirror.ts';
import { register as search } from './search.ts';
import { register as serve } from './serve.ts';
import { register as site } from './site.ts';
import { register as api } from './api.ts';
import { register as reextract } from './reextract.ts';
import { register as feeds } from './feeds.ts';

/** Every command module; each adds its commands to the program. */
export const commands: ((program: Command) => void)[] = [parse, archive, subscriptions, fetch, clean, extract, run, mirror, search, serve, site, api, reextract, feeds];
