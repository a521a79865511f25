/**
 * The options of create(), run(), exec() and output() (src-ts/options.ts): child_process's
 * timeout, signal, killSignal and encoding; unknown keys and wrong types a ConfigError
 * naming the key, as for configuration fields; typos answered with the name meant.
 * Nothing here starts a process.
 */
import { describe, expect, it } from 'vitest';
import { AbortError, ConfigError, Container, Namespaces } from '../../dist/index.js';
import { normalizeConfig, normalizeExec } from '../../dist/config.js';
import { validateCreateOptions, validateOutputOptions, validateRunOptions, DEFAULT_FORCE_KILL_AFTER_MS } from '../../dist/options.js';
import { CAPABILITY_NAMES } from '../../dist/capabilities.js';
import { closest } from '../../dist/suggest.js';
import { childPids } from '../support/host.js';

/** The ConfigError `fn` throws; fails if it throws nothing else. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('no ConfigError');
}

const container = normalizeConfig({ args: ['sh'] });

describe('run() options', () => {
  it('defaults: no timeout, SIGTERM, a 5 s grace, Buffers, 16 MiB per stream', () => {
    expect(validateRunOptions(undefined)).toMatchObject({
      maxBuffer: 16 << 20,
      outputs: [],
      encoding: 'buffer',
      end: { timeout: undefined, signal: undefined, killSignal: 15, forceKillAfterDelay: DEFAULT_FORCE_KILL_AFTER_MS },
    });
    expect(DEFAULT_FORCE_KILL_AFTER_MS).toBe(5000);
  });

  it('takes child_process forms: signal names and numbers, encodings, timeout 0 for none, fractional ms rounded up', () => {
    const signal = new AbortController().signal;
    const o = validateRunOptions({ timeout: 10.2, signal, killSignal: 'SIGKILL', forceKillAfterDelay: 0, encoding: 'utf8', input: Buffer.from('x') });
    expect(o.end).toEqual({ timeout: 11, signal, killSignal: 9, forceKillAfterDelay: 0 });
    expect(o.encoding).toBe('utf8');
    expect(validateRunOptions({ killSignal: 2, timeout: 0, encoding: null }).end).toMatchObject({ killSignal: 2, timeout: undefined });
    expect(validateRunOptions({ encoding: null }).encoding).toBe('buffer');
    expect(validateRunOptions({ encoding: 'base64' }).encoding).toBe('base64');
  });

  it.each([
    [{ timeoutt: 5 }, 'options.timeoutt', /is not a run option \(did you mean 'timeout'\?\)/],
    [{ killsignal: 'SIGINT' }, 'options.killsignal', /did you mean 'killSignal'/],
    [{ env: {} }, 'options.env', /is not a run option$/],
    [{ timeout: -1 }, 'options.timeout', /milliseconds from 0 to 2147483647/],
    [{ timeout: '100' }, 'options.timeout', /got "100"/],
    [{ timeout: 2 ** 31 }, 'options.timeout', /2147483647/],
    [{ timeout: Infinity }, 'options.timeout', /milliseconds/],
    [{ forceKillAfterDelay: NaN }, 'options.forceKillAfterDelay', /milliseconds/],
    [{ signal: 'abort' }, 'options.signal', /must be an AbortSignal, got "abort"/],
    [{ signal: {} }, 'options.signal', /must be an AbortSignal, got an object/],
    [{ signal: new AbortController() }, 'options.signal', /must be an AbortSignal/],
    [{ killSignal: 'SIGNOPE' }, 'options.killSignal', /is not a signal: "SIGNOPE"/],
    [{ killSignal: 99 }, 'options.killSignal', /is not a signal/],
    [{ killSignal: 0 }, 'options.killSignal', /not 0/],
    [{ killSignal: true }, 'options.killSignal', /name or number/],
    [{ encoding: 'utf-9' }, 'options.encoding', /'buffer' or a Buffer encoding/],
    [{ encoding: 8 }, 'options.encoding', /Buffer encoding/],
    [{ input: 42 }, 'options.input', /string or a Buffer/],
    [{ maxBuffer: 0 }, 'options.maxBuffer', /positive integer/],
    [{ id: 'a b' }, 'id', /\[A-Za-z0-9_.-\]/],
  ])('%j: ConfigError %s', (options, field, message) => {
    const e = configError(() => validateRunOptions(options));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it('refuses what is not an object', () => {
    expect(configError(() => validateRunOptions('fast')).message).toMatch(/^options must be an object, got "fast"/);
    expect(configError(() => validateRunOptions(null)).field).toBe('options');
    expect(configError(() => validateRunOptions([])).field).toBe('options');
  });

  it('Container.run rejects bad options before any process exists, and a ConfigError outranks an aborted signal', async () => {
    const before = childPids();
    await expect(Container.run({ args: ['/bin/true'] }, { timeout: 100, bogus: 1 } as never)).rejects.toMatchObject({ name: 'ConfigError', field: 'options.bogus' });
    await expect(Container.run({ args: ['/bin/true'] }, { signal: AbortSignal.abort(), encoding: 'x' } as never)).rejects.toMatchObject({
      field: 'options.encoding',
    });
    await expect(Container.run({ args: ['/bin/true'], bogus: 1 } as never, { signal: AbortSignal.abort() })).rejects.toMatchObject({ field: 'bogus' });
    expect(childPids()).toEqual(before);
  });

  it('an aborted signal rejects at once with an AbortError like child_process (no process is started)', async () => {
    const before = childPids();
    const reason = new Error('not needed');
    const e = await Container.run({ args: ['/bin/true'] }, { signal: AbortSignal.abort(reason) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbortError);
    expect(e).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', message: 'The operation was aborted', cause: reason });
    await expect(Container.create({ args: ['/bin/true'] }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(childPids()).toEqual(before);
  });
});

describe('create() and output() options', () => {
  it('create() takes an id and a signal, nothing else', () => {
    expect(validateCreateOptions({ id: 'x1' })).toEqual({ id: 'x1', signal: undefined });
    expect(configError(() => validateCreateOptions({ timeout: 5 })).message).toBe('options.timeout is not a create option');
    expect(configError(() => validateCreateOptions({ ids: 'x' })).message).toBe("options.ids is not a create option (did you mean 'id'?)");
  });

  it('output() takes maxBuffer and encoding', () => {
    expect(validateOutputOptions(undefined)).toEqual({ maxBuffer: Infinity, encoding: 'buffer' });
    expect(validateOutputOptions({ maxBuffer: 10, encoding: 'hex' })).toEqual({ maxBuffer: 10, encoding: 'hex' });
    expect(configError(() => validateOutputOptions({ maxbuffer: 1 })).message).toMatch(/^options\.maxbuffer is not an output option \(did you mean 'maxBuffer'\?\)/);
    expect(configError(() => validateOutputOptions({ encoding: 'utf16' })).field).toBe('options.encoding');
  });
});

describe('exec() options', () => {
  it('take timeout, signal, killSignal and forceKillAfterDelay besides the process fields', () => {
    const signal = new AbortController().signal;
    expect(normalizeExec(['ls'], { timeout: 50, signal, killSignal: 'SIGINT', forceKillAfterDelay: 10 }, container).end).toEqual({
      timeout: 50,
      signal,
      killSignal: 2,
      forceKillAfterDelay: 10,
    });
    expect(normalizeExec(['ls'], undefined, container).end).toMatchObject({ timeout: undefined, killSignal: 15 });
  });

  it.each([
    [{ timout: 5 }, 'options.timout', /is not an exec option \(did you mean 'timeout'\?\)/],
    [{ encoding: 'utf8' }, 'options.encoding', /is not an exec option/],
    [{ timeout: -5 }, 'options.timeout', /milliseconds/],
    [{ signal: 1 }, 'options.signal', /AbortSignal/],
    [{ killSignal: 'TERM' }, 'options.killSignal', /is not a signal/],
  ])('%j: ConfigError %s', (options, field, message) => {
    const e = configError(() => normalizeExec(['ls'], options, container));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it('refuses options that are not an object', () => {
    expect(configError(() => normalizeExec(['ls'], 'x', container)).message).toMatch(/^options must be an object, got "x"/);
  });
});

describe('names a typo was meant to be', () => {
  it('config fields, limits, mount options', () => {
    expect(configError(() => normalizeConfig({ args: ['sh'], hostnmae: 'x' })).message).toBe("hostnmae is not a ContainerConfig field (did you mean 'hostname'?)");
    expect(configError(() => normalizeConfig({ args: ['sh'], limits: { wallTime: 1 } })).message).toMatch(/did you mean 'wallTimeMs'/);
    expect(configError(() => normalizeConfig({ args: ['sh'], mounts: [{ type: 'bind', source: '/a', target: '/b', readOnly: true }] })).message).toMatch(
      /^mounts\[0\]\.readOnly is not an option of a bind mount \(did you mean 'readonly'\?\)/,
    );
    // Nothing close: no guess.
    expect(configError(() => normalizeConfig({ args: ['sh'], zzzzzz: 1 })).message).toBe('zzzzzz is not a ContainerConfig field');
  });

  it('every object of a config refuses keys its type does not have: users, id maps, namespace entries, seccomp policies', () => {
    const field = (config: object) => configError(() => normalizeConfig({ args: ['sh'], ...config })).message;
    expect(field({ user: { uid: 1, gid: 1, groups: [2] } })).toBe('user.groups is not a user field');
    expect(field({ uidMappings: [{ containerId: 0, hostId: 1000, size: 1, count: 1 }] })).toBe('uidMappings[0].count is not an id mapping field');
    // A misspelt path would create a namespace where one was to be joined.
    expect(field({ namespaces: ['user', { type: 'net', pth: '/proc/1/ns/net' }] })).toBe(
      "namespaces[1].pth is not a field of a namespace entry (type, path) (did you mean 'path'?)",
    );
    // A misspelt errno would quietly be EPERM.
    const rule = { syscalls: ['ptrace'], action: 'errno', erno: 38 };
    expect(field({ seccomp: { defaultAction: 'allow', rules: [rule] } })).toBe("seccomp.rules[0].erno is not a field of a seccomp rule (did you mean 'errno'?)");
    expect(field({ seccomp: { defaultAction: 'allow', rule: [] } })).toBe("seccomp.rule is not a field of a seccomp policy (did you mean 'rules'?)");
    const arg = { index: 0, op: 'eq', value: 1, maks: 1 };
    expect(field({ seccomp: { defaultAction: 'allow', rules: [{ syscalls: ['ptrace'], action: 'allow', args: [arg] }] } })).toMatch(
      /^seccomp\.rules\[0\]\.args\[0\]\.maks is not a field of an argument condition \(did you mean 'mask'\?\)/,
    );
  });

  it('namespaces, in an array, in a Namespaces, and given as an object', () => {
    const inArray = configError(() => normalizeConfig({ args: ['sh'], namespaces: ['user', 'nett'] }));
    expect(inArray.field).toBe('namespaces');
    expect(inArray.message).toBe(`namespaces has an unknown type "nett" (did you mean 'net'?); the types are user, pid, mount, uts, ipc, net, cgroup, time`);
    expect(configError(() => new Namespaces(['user', { type: 'mnt' as never }])).message).toMatch(/unknown type "mnt" \(did you mean 'mount'\?\); the types are user, pid, mount/);
    expect(configError(() => Namespaces.all().add('utc' as never)).message).toMatch(/did you mean 'uts'/);
    const asObject = configError(() => normalizeConfig({ args: ['sh'], namespaces: { net: true, nett: true } }));
    expect(asObject.message).toMatch(/^namespaces must be a Namespaces or an array of namespace types \(e\.g\. \['user', 'pid', 'mount', 'net'\]\), got an object; /);
    expect(asObject.message).toMatch(/has an unknown type "nett" \(did you mean 'net'\?\); the types are user, pid/);
    expect(configError(() => normalizeConfig({ args: ['sh'], namespaces: { user: true, net: true } })).message).toMatch(/; list them: \['user', 'net'\]$/);
  });

  it('capabilities, with the full table of Linux capabilities', () => {
    expect(CAPABILITY_NAMES).toHaveLength(41);
    expect(CAPABILITY_NAMES[0]).toBe('CAP_CHOWN');
    expect(CAPABILITY_NAMES[40]).toBe('CAP_CHECKPOINT_RESTORE');
    const e = configError(() => normalizeConfig({ args: ['sh'], capabilities: ['CAP_NET_BIND'] }));
    expect(e).toMatchObject({ field: 'capabilities[0]', message: `capabilities[0] is not a known capability: "CAP_NET_BIND" (did you mean 'CAP_NET_BIND_SERVICE'?)` });
    expect(normalizeConfig({ args: ['sh'], capabilities: ['CAP_NET_RAW', 'cap_kill' as never] }).capabilities).toEqual([13, 5]);
  });

  it('guesses only what is close', () => {
    expect(closest('nett', ['net', 'pid'])).toBe('net');
    expect(closest('NET', ['net'])).toBe('net');
    expect(closest('x', ['net'])).toBeUndefined();
    expect(closest('timeoutMs', ['timeout', 'signal'])).toBe('timeout');
    expect(closest('wallclock', ['timeout', 'signal'])).toBeUndefined();
  });
});
