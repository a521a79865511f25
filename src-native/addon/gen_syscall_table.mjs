#!/usr/bin/env node
// Writes the system call table that syscall_table.cc includes: {arch, name, number} rows
// for x86_64 and aarch64, taken from the kernel headers as the C++ compiler sees them.
// Run by the build (binding.gyp action, CMake custom command); nothing else is written.
//
//   node gen_syscall_table.mjs OUT      CXX: the compiler (default c++)
//
// - The build's own architecture: every __NR_* macro of <sys/syscall.h>, preprocessed by
//   the compiler for this build, so x86_64 gets unistd_64.h (never x32's or i386's).
// - The other one, where its headers are here: aarch64 from <asm-generic/unistd.h> with
//   the choices arm64's <asm/unistd.h> makes; x86_64 from the multiarch unistd_64.h.
//   It only feeds tests and the hint in an error ("exists on x86_64 only").
// - Calls newer than the headers, from UNIFIED below; where the headers have one, the
//   numbers must agree or the build fails.
// Every number is the compiler's expansion of the macro; the build fails loudly when one
// is not a plain number below 1024 (the native 64-bit ABIs) or a table is implausibly small.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Since Linux 5.1 every architecture numbers new system calls alike from 424 up, so
// these are kernel ABI even where the build machine's headers predate them (Debian 12's
// are Linux 6.1: without this, fchmodat2 would escape the setuid guard on a newer kernel).
const UNIFIED = [
  'pidfd_send_signal', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'open_tree', 'move_mount',
  'fsopen', 'fsconfig', 'fsmount', 'fspick', 'pidfd_open', 'clone3', 'close_range', 'openat2', 'pidfd_getfd',
  'faccessat2', 'process_madvise', 'epoll_pwait2', 'mount_setattr', 'quotactl_fd', 'landlock_create_ruleset',
  'landlock_add_rule', 'landlock_restrict_self', 'memfd_secret', 'process_mrelease', 'futex_waitv',
  'set_mempolicy_home_node', 'cachestat', 'fchmodat2', 'map_shadow_stack', 'futex_wake', 'futex_wait',
  'futex_requeue', 'statmount', 'listmount', 'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules',
  'mseal', 'setxattrat', 'getxattrat', 'listxattrat', 'removexattrat', 'open_tree_attr', 'file_getattr',
  'file_setattr', 'listns',
].map((name, i) => [name, 424 + i]);
// x86_64's own calls newer than Linux 6.1, below the unified range.
const NEWER = { x86_64: [['uretprobe', 335], ['uprobe', 336]], aarch64: [] };

// __NR_ macros that are not system calls.
const NOT_CALLS = new Set(['syscalls', 'arch_specific_syscall']);

// Fewer names than this from the headers means they are not what we think they are.
const MIN_FROM_HEADERS = { x86_64: 300, aarch64: 280 };

// arm64's <asm/unistd.h> (Linux 6.1) is asm-generic's table with these choices.
const ARM64_WANTS = ['RENAMEAT', 'NEW_STAT', 'SET_GET_RLIMIT', 'TIME32_SYSCALLS', 'SYS_CLONE3', 'MEMFD_SECRET'];

const SOURCES = {
  own: '#include <sys/syscall.h>\n',
  aarch64:
    '#if __has_include(<asm-generic/unistd.h>)\n' +
    ARM64_WANTS.map((w) => `#define __ARCH_WANT_${w}\n`).join('') +
    '#include <asm-generic/unistd.h>\n#endif\n',
  x86_64: '#if __has_include(<x86_64-linux-gnu/asm/unistd_64.h>)\n#include <x86_64-linux-gnu/asm/unistd_64.h>\n#endif\n',
};

function fail(message) {
  console.error(`gen_syscall_table: ${message}`);
  process.exit(1);
}

/** The compiler's preprocessor output for `source` (C++, from stdin). */
function preprocess(source, flags) {
  const r = spawnSync('sh', ['-c', '${CXX:-c++} -x c++ -E "$@" -', 'sh', ...flags], { input: source, encoding: 'utf8' });
  if (r.error || r.status !== 0) fail(`the C++ compiler failed (CXX=${process.env.CXX ?? 'c++'}): ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

/** The macros `source` defines: name -> definition. */
function macros(source) {
  const out = new Map();
  for (const m of preprocess(source, ['-dM']).matchAll(/^#define (\w+)(?: (.*))?$/gm)) out.set(m[1], m[2] ?? '');
  return out;
}

/** name -> number for the __NR_ macros of `source`, as the compiler expands them. */
function table(source) {
  const names = [...macros(source).keys()]
    .filter((m) => m.startsWith('__NR_'))
    .map((m) => m.slice('__NR_'.length))
    .filter((name) => !NOT_CALLS.has(name));
  if (names.length === 0) return null;
  // A string literal for the name: it is never macro-expanded, the number always is.
  const probe = source + names.map((name) => `"${name}" __NR_${name}\n`).join('');
  const out = new Map();
  for (const m of preprocess(probe, ['-P']).matchAll(/^"(\w+)" (.*)$/gm)) {
    const nr = /^\d+$/.test(m[2]) ? Number(m[2]) : NaN;
    if (!(nr < 1024)) fail(`__NR_${m[1]} expands to '${m[2]}', not a number of a native 64-bit ABI`);
    out.set(m[1], nr);
  }
  if (out.size !== names.length) fail(`expanded ${out.size} of ${names.length} __NR_ macros`);
  return out;
}

/** The build's architecture, from the compiler's own predefined macros. */
function buildArch(m) {
  if (m.has('__ILP32__')) return null; // x32 (or arm64 ILP32): not supported
  if (m.has('__x86_64__')) return 'x86_64';
  if (m.has('__aarch64__')) return 'aarch64';
  return null;
}

/** The headers' table plus the calls they are too old to have; checked. */
function complete(arch, fromHeaders, origin) {
  if (fromHeaders.size < MIN_FROM_HEADERS[arch]) {
    fail(`${origin} gave only ${fromHeaders.size} ${arch} system calls (expected at least ${MIN_FROM_HEADERS[arch]}); ` +
      'are the kernel headers (linux-libc-dev, kernel-headers) installed?');
  }
  const rows = [...fromHeaders].map(([name, nr]) => ({ name, nr, newer: false }));
  for (const [name, nr] of [...UNIFIED, ...NEWER[arch]]) {
    const known = fromHeaders.get(name);
    if (known === undefined) rows.push({ name, nr, newer: true });
    else if (known !== nr) fail(`${origin}: ${arch} __NR_${name} is ${known}, but the kernel's unified numbering says ${nr}`);
  }
  return { arch, origin, rows, fromHeaders: fromHeaders.size };
}

const out = process.argv[2];
if (!out) fail('usage: node gen_syscall_table.mjs OUT');

const tables = [];
const own = buildArch(macros(SOURCES.own));
if (own) {
  tables.push(complete(own, table(SOURCES.own) ?? new Map(), '<sys/syscall.h>'));
  const other = own === 'x86_64' ? 'aarch64' : 'x86_64';
  const fromHeaders = table(SOURCES[other]);
  const origin = other === 'aarch64' ? '<asm-generic/unistd.h> with arm64\'s choices' : '<x86_64-linux-gnu/asm/unistd_64.h>';
  if (fromHeaders) tables.push(complete(other, fromHeaders, origin));
}

tables.sort((a, b) => (a.arch < b.arch ? -1 : 1));
const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const lines = [
  '// Generated by src-native/addon/gen_syscall_table.mjs from the kernel headers: do not edit.',
  ...tables.map((t) => `// ${t.arch}: ${t.fromHeaders} from ${t.origin}, ${t.rows.length - t.fromHeaders} newer than them`),
  ...(own ? [] : ["// This build's architecture is neither x86_64 nor aarch64: no table."]),
  ...tables.flatMap((t) =>
    t.rows.sort(byName).map((r) => `{"${t.arch}", "${r.name}", ${r.nr}},${r.newer ? '  // newer than the headers' : ''}`),
  ),
  '',
];
const text = lines.join('\n');
// Unchanged output keeps its mtime, so an incremental build recompiles nothing.
if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
}
