/** Routes the addon's events (one stream per Node environment) to their instances. */
import { native, type NativeEvent } from './native.js';

type Listener = (event: NativeEvent) => void;
const listeners = new Map<number, Listener>();
let installed = false;

export function listen(handle: number, fn: Listener): void {
  if (!installed) {
    native.setEventHandler((event) => { if (process.env.NSJ_TRACE) console.error((performance.now() - (globalThis as { __t0?: number }).__t0!).toFixed(2), event.type, event.stage); listeners.get(event.handle)?.(event); });
    installed = true;
  }
  listeners.set(handle, fn);
}

export function unlisten(handle: number): void {
  listeners.delete(handle);
}

/** Makes sure the reactor exists before the first spawn. */
export function ensureReactor(): void {
  if (!installed) {
    native.setEventHandler((event) => { if (process.env.NSJ_TRACE) console.error((performance.now() - (globalThis as { __t0?: number }).__t0!).toFixed(2), event.type, event.stage); listeners.get(event.handle)?.(event); });
    installed = true;
  }
}
