// ESM entry: the same classes as the CommonJS build (one copy, no dual-package hazard).
import cjs from './index.js';

export const { Container, Namespaces, Process, ContainerError, ConfigError, AbortError } = cjs;
export default cjs;
