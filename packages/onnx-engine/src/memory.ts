/**
 * Building a session holds the weights three times at once if nothing is collected in between (the state dict's
 * arrays, the serialised model, ORT's copy). V8 does not see ORT's native allocations, so it has no reason to
 * collect the first two in time: the engine asks for a full collection between the stages.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/** A full garbage collection (the usual `--expose-gc` switch, turned on at run time). */
export function collectGarbage(): void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}
