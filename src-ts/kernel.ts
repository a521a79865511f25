/** The running kernel's version, for features that came with one (cgroup.kill, overlayfs in a user namespace). */
import * as os from 'node:os';

const [major, minor] = os.release().split('.').map((n) => parseInt(n, 10));

/** Whether the kernel is Linux `a.b` or newer. */
export function kernelAtLeast(a: number, b: number): boolean {
  return major > a || (major === a && minor >= b);
}
