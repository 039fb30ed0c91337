// Worker threads do not inherit tsx's loader: register it, then run the fuzzer's worker side.
import { register } from 'tsx/esm/api';

register();
await import('./fuzz.ts');
