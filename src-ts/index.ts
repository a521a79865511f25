export { Container } from './container.js';
export { ContainerPool, type PoolConfig, type PoolOptions, type PoolRunOptions } from './pool.js';
export { Namespaces, type NamespaceType, type NamespaceEntry } from './namespaces.js';
export { Process, type ProcessEvents } from './process.js';
export { ContainerError, ConfigError, type ContainerErrorDetails, type Stage } from './errors.js';
export { AbortError } from './abort.js';
export type { CreateOptions, EndOptions, Encoding, OutputOptions, RunOptions } from './options.js';
export type {
  BindMount, CgroupLimitName, ContainerConfig, DevptsMqueueMount, ExecOptions, FileContent, IdMapping, LimitsConfig, Mount, MountSafety,
  NetworkMode, OverlayMount, ProcSysfsMount, RlimitName, TmpfsMount, UserConfig, WritableRootOption,
} from './config.js';
export type { CapabilityName } from './capabilities.js';
export type { PipedStdio, ProcessStdio, StdioEntry, StdioMode, StdioOption, StdioStreams, TerminalOption, TerminalStdio } from './stdio-types.js';
export type { Change } from './overlays.js';
export type { EndReason, ExitStatus, RunResult, Stats } from './status.js';
export type { LiveStats } from './cgroups/stats.js';
export type { SeccompAction, SeccompArgCondition, SeccompArgOp, SeccompPolicy, SeccompRule } from './seccomp.js';
export type { ProfileMark } from './profile.js';
