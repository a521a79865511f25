export { Container, type CreateOptions, type RunOptions } from './container.js';
export { Namespaces, type NamespaceType, type NamespaceEntry } from './namespaces.js';
export { Process } from './process.js';
export { ContainerError, ConfigError, type Stage } from './errors.js';
export type { CgroupLimitName, ContainerConfig, IdMapping, Mount, RlimitName, StdioEntry } from './config.js';
export type { EndReason, ExitStatus, RunResult, Stats } from './status.js';
export type { LiveStats } from './cgroups/stats.js';
export type { OutputOptions } from './process.js';
export type { SeccompPolicy } from './seccomp.js';
