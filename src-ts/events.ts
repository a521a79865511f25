/** Routes the addon's events (one stream per Node environment) to their instances. */
import { native, type NativeEvent } from './native.js';

type Listener = (event: NativeEvent) => void;
const listeners = new Map<number, Listener>();
let installed = false;

/** Makes sure the reactor exists before the first spawn. */
export function ensureReactor(): void {
  if (installed) return;
  native.setEventHandler((event) => listeners.get(event.handle)?.(event));
  installed = true;
}

export function listen(handle: number, fn: Listener): void {
  ensureReactor();
  listeners.set(handle, fn);
}

export function unlisten(handle: number): void {
  listeners.delete(handle);
}
