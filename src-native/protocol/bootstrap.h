// The bootstrap message (INIT_MSG): everything the three stages need, sent by the addon
// and decoded by stage 0 before any clone.
//
// One row per attribute, below: its id, the Bootstrap member that holds it, and its name
// in JavaScript. The encoder, the decoder (bootstrap.cc), the conversion from and to JS
// (addon/bootstrap_js.cc) and the field list TypeScript checks itself against all come
// from these rows; a member's C++ type decides its wire shape (protocol/wire.h). Adding a
// field is one row, one member, and its use. The first ids are runc's
// (libcontainer/nsenter); the rest carry what stage 2 needs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nsj::proto {

constexpr uint16_t INIT_MSG = 62000;

// X(NAME, id, member, "jsName")
#define NSJ_BOOTSTRAP_ATTRS(X)                                                                     \
  X(CLONE_FLAGS_ATTR, 27281, clone_flags, "cloneFlags")     /* CLONE_NEW* to create */              \
  X(NS_PATHS_ATTR, 27282, ns_paths, "nsPaths")              /* "type:path,...", joined in order */   \
  X(UIDMAP_ATTR, 27283, uid_map, "uidMap")                  /* uid_map text */                      \
  X(GIDMAP_ATTR, 27284, gid_map, "gidMap")                                                          \
  X(SETGROUP_ATTR, 27285, setgroups, "setgroups")           /* leave setgroups allowed */           \
  X(OOM_SCORE_ADJ_ATTR, 27286, oom_score_adj, "oomScoreAdj")                                        \
  X(ROOTLESS_EUID_ATTR, 27287, rootless_euid, "rootlessEuid") /* the caller is not root */          \
  X(UIDMAPPATH_ATTR, 27288, uid_map_path, "uidMapPath")     /* newuidmap */                         \
  X(GIDMAPPATH_ATTR, 27289, gid_map_path, "gidMapPath")     /* newgidmap */                         \
  X(ARG_ATTR, 27300, args, "args")                          /* argv of the main process */          \
  X(ENV_ATTR, 27301, env, "env")                            /* "KEY=value" */                       \
  X(CWD_ATTR, 27302, cwd, "cwd")                                                                    \
  X(HOSTNAME_ATTR, 27303, hostname, "hostname")                                                     \
  X(UID_ATTR, 27304, uid, "uid")                            /* user inside the container */         \
  X(GID_ATTR, 27305, gid, "gid")                                                                    \
  X(GROUP_ATTR, 27306, groups, "groups")                    /* supplementary groups */              \
  X(MOUNT_ATTR, 27307, mounts, "mounts")                    /* one mount operation each */          \
  X(RLIMIT_ATTR, 27308, rlimits, "rlimits")                                                         \
  X(CAPS_ATTR, 27309, caps, "caps")                         /* capabilities kept */                 \
  X(NO_NEW_PRIVS_ATTR, 27310, no_new_privs, "noNewPrivs")                                           \
  X(SECCOMP_ATTR, 27311, seccomp, "seccomp")                /* struct sock_filter[], applied last */ \
  X(FLAGS_ATTR, 27312, flags, "flags")                      /* BootFlag bits */                     \
  X(EXTRA_FDS_ATTR, 27313, extra_fds, "extraFds")           /* fds 7.. become 3.. in the program */ \
  X(LOG_LEVEL_ATTR, 27315, log_level, "logLevel")           /* 0 quiet, 1 debug, 2 trace */         \
  X(PDEATHSIG_ATTR, 27316, pdeathsig, "pdeathsig")          /* for every stage, if the caller dies */ \
  X(SIGNAL_ATTR, 27317, signal, "signal")                   /* with BF_SIGNAL_ALL */                \
  X(TERMINAL_ATTR, 27318, terminal_size, "terminalSize")    /* with BF_TERMINAL: cols << 16 | rows */ \
  X(NESTED_PATHS_ATTR, 27319, nested_paths, "nestedPaths")  /* joined after ns_paths (mount lock) */ \
  X(CGROUP_TASKS_ATTR, 27330, cgroup_tasks, "cgroupTasks")  /* v1 tasks files stage 0 enters ("0") */ \
  X(CGROUP_DIR_ATTR, 27331, cgroup_dir, "cgroupDir")        /* v2 cgroup stage 1 is cloned into */ \
  X(OUTPUTS_ATTR, 27320, outputs, "outputs")                /* the reaper sends these paths back at the end */

// A string longer than one attribute holds (args and environment strings may be up to
// the kernel's 128 KiB) continues in attributes of this id, appended in order.
constexpr uint16_t STRING_CONT_ATTR = 27399;

enum BootAttr : uint16_t {
#define NSJ_X(NAME, ID, member, js) NAME = ID,
  NSJ_BOOTSTRAP_ATTRS(NSJ_X)
#undef NSJ_X
};

// X(Name, value, "what")
#define NSJ_MOUNT_KINDS(X)                                                                       \
  X(RootHost, 1, "the host's / (recursive bind) becomes the new root, read-only")                  \
  X(RootDir, 2, "source directory becomes the new root")                                           \
  X(Bind, 3, "")                                                                                   \
  X(Tmpfs, 4, "")                                                                                  \
  X(Proc, 5, "")                                                                                   \
  X(Sysfs, 6, "")                                                                                  \
  X(Devpts, 7, "")                                                                                 \
  X(Mqueue, 8, "")                                                                                 \
  X(Dev, 9, "a minimal /dev: tmpfs, verified device nodes, devpts, shm, symlinks")                 \
  X(Mask, 10, "covers target: a file with /dev/null, a directory with an empty read-only tmpfs")   \
  X(Rebind, 11, "binds target onto itself with the operation's flags (read-only paths)")                 \
  X(File, 12, "a fixture: size bytes at offset of the files memfd become the file target, owned by the container's user") \
  X(Overlay, 13, "source read-only below a writable upper layer: data names a host upper dir, else a private tmpfs of size")

enum class MountKind : uint32_t {
#define NSJ_X(Name, value, what) Name = value,
  NSJ_MOUNT_KINDS(NSJ_X)
#undef NSJ_X
};

inline const char* mount_kind_name(MountKind k) {
  switch (k) {
#define NSJ_X(Name, value, what) \
  case MountKind::Name: return #Name;
    NSJ_MOUNT_KINDS(NSJ_X)
#undef NSJ_X
  }
  return "?";
}

// X(C_NAME, JsName, value, "what")
#define NSJ_MOUNT_FLAGS(X)                                                                            \
  X(READONLY, Readonly, 1u << 0, "")                                                                  \
  X(RECURSIVE, Recursive, 1u << 1, "")                                                                \
  X(NOSUID, Nosuid, 1u << 2, "")                                                                      \
  X(NODEV, Nodev, 1u << 3, "")                                                                        \
  X(NOEXEC, Noexec, 1u << 4, "")                                                                      \
  X(OPTIONAL, Optional, 1u << 5, "if the kernel refuses (EPERM/EACCES) or it is missing, keep what is there") \
  X(IDMAP, Idmap, 1u << 6, "Bind/RootDir: idmapped through the container's user namespace (root callers)")

#define NSJ_BOOT_FLAGS(X)                                                                           \
  X(LOOPBACK, Loopback, 1u << 0, "bring lo up in the new net namespace")                              \
  X(INIT, Init, 1u << 1, "stage 2 stays as a reaping, signal-forwarding PID 1")                       \
  X(START_NOW, StartNow, 1u << 2, "no start barrier (Container.run, exec)")                           \
  X(EXEC, Exec, 1u << 3, "a further process joining a running container")                             \
  X(SIGNAL_ALL, SignalAll, 1u << 4, "join, kill(-1, signal) every process of the pid namespace, exit") \
  X(TERMINAL, Terminal, 1u << 5, "the main process gets a pty; its master goes to the addon")        \
  X(FILES, Files, 1u << 6, "the file agent: stage 0 joins the user and mount namespaces and serves file requests") \
  X(ARGS_AT_START, ArgsAtStart, 1u << 7, "a pooled container: CMD_START brings the args, env and cwd (in a sealed memfd)") \
  X(DEFAULT_HOSTNAME, DefaultHostname, 1u << 8, "the hostname is the default, not asked for: left out (with a notice) where a filter refuses sethostname")

enum MountFlag : uint32_t {
#define NSJ_X(NAME, Js, value, what) MF_##NAME = value,
  NSJ_MOUNT_FLAGS(NSJ_X)
#undef NSJ_X
};

enum BootFlag : uint32_t {
#define NSJ_X(NAME, Js, value, what) BF_##NAME = value,
  NSJ_BOOT_FLAGS(NSJ_X)
#undef NSJ_X
};

// Mount operations travel as nested attributes: X(NAME, id, member, "jsName").
#define NSJ_MOUNT_ATTRS(X)                  \
  X(MNT_KIND, 1, kind, "kind")              \
  X(MNT_SOURCE, 2, source, "source")        \
  X(MNT_TARGET, 3, target, "target")        /* inside the new root */ \
  X(MNT_DATA, 4, data, "data")              /* file system options */ \
  X(MNT_FLAGS, 5, flags, "flags")           /* MountFlag bits */ \
  X(MNT_MODE, 6, mode, "mode")                                  \
  X(MNT_SIZE, 7, size, "size")              /* bytes (tmpfs, an overlay's private upper; /dev: its shm; File: length) */ \
  X(MNT_OFFSET, 8, offset, "offset")        /* File: where its content starts in the files memfd */ \
  X(MNT_WORKDIR, 9, workdir, "workdir")     /* Overlay with a host upper dir: its work dir (same file system) */

enum MountAttr : uint16_t {
#define NSJ_X(NAME, ID, member, js) NAME = ID,
  NSJ_MOUNT_ATTRS(NSJ_X)
#undef NSJ_X
};

struct MountOp {
  MountKind kind = MountKind::Bind;
  std::string source, target, data, workdir;
  uint32_t flags = 0;
  uint32_t mode = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
  bool operator==(const MountOp& o) const {
    return kind == o.kind && source == o.source && target == o.target && data == o.data && flags == o.flags &&
           mode == o.mode && size == o.size && offset == o.offset && workdir == o.workdir;
  }
};

struct Rlimit {
  uint32_t resource = 0;
  uint64_t soft = 0, hard = 0;  // UINT64_MAX: unlimited
  bool operator==(const Rlimit& o) const { return resource == o.resource && soft == o.soft && hard == o.hard; }
};

struct NsPath {
  std::string type;  // the /proc/<pid>/ns name: user, mnt, net, ...
  std::string path;
  bool operator==(const NsPath& o) const { return type == o.type && path == o.path; }
};

// One attribute in runc's "type:path,type:path" form (not one attribute per entry).
struct NsPathList {
  std::vector<NsPath> items;
  bool empty() const { return items.empty(); }
  auto begin() const { return items.begin(); }
  auto end() const { return items.end(); }
  bool operator==(const NsPathList& o) const { return items == o.items; }
};

// A capability set: bit n is capability n. JavaScript gives it as a list of numbers.
struct Caps {
  uint64_t bits = 0;
  bool operator==(const Caps& o) const { return bits == o.bits; }
};

struct Bootstrap {
  // stages 0 and 1
  uint32_t clone_flags = 0;
  NsPathList ns_paths;
  NsPathList nested_paths;
  std::string uid_map, gid_map, uid_map_path, gid_map_path, oom_score_adj;
  bool setgroups = false;
  bool rootless_euid = false;
  uint32_t pdeathsig = 9;
  // The container's cgroups (nsexec/cgroup_entry.h): entered by stage 0 before stage 1 exists.
  std::vector<std::string> cgroup_tasks;
  std::string cgroup_dir;
  // stage 2
  std::vector<std::string> args, env;
  std::string cwd = "/", hostname;
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> groups;
  std::vector<MountOp> mounts;
  std::vector<Rlimit> rlimits;
  Caps caps;
  bool no_new_privs = true;
  std::vector<uint8_t> seccomp;
  uint32_t flags = 0;
  uint32_t extra_fds = 0;
  uint32_t log_level = 0;
  uint32_t signal = 0;
  uint32_t terminal_size = (80u << 16) | 24u;
  std::vector<std::string> outputs;
};

// "type:path,type:path" <-> list; refuses a path with a comma (it cannot be encoded).
bool format_ns_paths(const NsPathList& in, std::string* out, std::string* err);
bool parse_ns_paths(const std::string& in, NsPathList* out, std::string* err);

bool encode_bootstrap(const Bootstrap& b, std::vector<uint8_t>* out, std::string* err);
bool decode_bootstrap(const uint8_t* buf, size_t len, Bootstrap* b, std::string* err);

}  // namespace nsj::proto
