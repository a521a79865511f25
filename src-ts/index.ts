export { Container, type CreateOptions, type RunOptions } from './container.js';
export { Namespaces, type NamespaceType, type NamespaceEntry } from './namespaces.js';
export { Process } from './process.js';
export { ContainerError, ConfigError, type Stage } from './errors.js';
export type { ContainerConfig, FileContent, IdMapping, Mount, RlimitName, StdioEntry } from './config.js';
export type { Change } from './overlays.js';
export type { ExitStatus, RunResult } from './status.js';
export type { SeccompPolicy } from './seccomp.js';
