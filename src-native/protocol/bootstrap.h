// The bootstrap message (INIT_MSG): everything the three stages need, sent by the addon
// and decoded by stage 0 before any clone. The first ten attribute ids are runc's
// (libcontainer/nsenter); the rest carry what stage 2 needs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nsj::proto {

constexpr uint16_t INIT_MSG = 62000;

enum BootAttr : uint16_t {
  // runc's ids
  CLONE_FLAGS_ATTR = 27281,    // u32: CLONE_NEW* to create
  NS_PATHS_ATTR = 27282,       // str: "type:path,type:path", joined in that order
  UIDMAP_ATTR = 27283,         // str: uid_map text
  GIDMAP_ATTR = 27284,         // str: gid_map text
  SETGROUP_ATTR = 27285,       // bool: leave setgroups allowed
  OOM_SCORE_ADJ_ATTR = 27286,  // str
  ROOTLESS_EUID_ATTR = 27287,  // bool: the caller is not root
  UIDMAPPATH_ATTR = 27288,     // str: newuidmap
  GIDMAPPATH_ATTR = 27289,     // str: newgidmap
  TIMENSOFFSET_ATTR = 27290,   // str: timens_offsets text
  // ours
  ARG_ATTR = 27300,            // str, repeated: argv of the main process
  ENV_ATTR = 27301,            // str, repeated: "KEY=value"
  CWD_ATTR = 27302,            // str
  HOSTNAME_ATTR = 27303,       // str
  UID_ATTR = 27304,            // u32: user inside the container
  GID_ATTR = 27305,            // u32
  GROUP_ATTR = 27306,          // u32, repeated: supplementary groups
  MOUNT_ATTR = 27307,          // nested, repeated: one mount operation (MountAttr)
  RLIMIT_ATTR = 27308,         // bytes {u32 resource, u32 0, u64 soft, u64 hard}, repeated
  CAPS_ATTR = 27309,           // u64: capabilities kept (bit n = capability n)
  NO_NEW_PRIVS_ATTR = 27310,   // bool
  SECCOMP_ATTR = 27311,        // bytes: struct sock_filter[], applied last
  FLAGS_ATTR = 27312,          // u32: BootFlag bits
  EXTRA_FDS_ATTR = 27313,      // u32: fds passed at 5.. become 3.. in the main process
  CGROUP_ATTR = 27314,         // str, repeated: cgroup.procs files stage 0 joins first
  LOG_LEVEL_ATTR = 27315,      // u32: 0 quiet, 1 debug
  PDEATHSIG_ATTR = 27316,      // u32: signal for every stage when the caller dies
  TERMINAL_ATTR = 27318,       // u32: with BF_TERMINAL, the window size (cols << 16 | rows)
  SIGNAL_ATTR = 27317,         // u32: with BF_SIGNAL_ALL, the signal for every process
  NESTED_PATHS_ATTR = 27319,   // str: like NS_PATHS, joined after them (a locked container's
                               // nested user and mount namespaces: init/mount_lock.h)
};

enum MountAttr : uint16_t {
  MNT_KIND = 1,    // u32 MountKind
  MNT_SOURCE = 2,  // str
  MNT_TARGET = 3,  // str, inside the new root
  MNT_DATA = 4,    // str, file system options
  MNT_FLAGS = 5,   // u32 MountFlag bits
  MNT_MODE = 6,    // u32
  MNT_SIZE = 7,    // u64, bytes (tmpfs)
};

enum class MountKind : uint32_t {
  RootHost = 1,  // the host's / (recursive bind) becomes the new root, read-only
  RootDir = 2,   // source directory becomes the new root
  Bind = 3,
  Tmpfs = 4,
  Proc = 5,
  Sysfs = 6,
  Devpts = 7,
  Mqueue = 8,
  Dev = 9,       // a minimal /dev: tmpfs, verified device nodes, devpts, shm, symlinks
  Mask = 10,     // covers target: a file with the verified /dev/null, a directory with an
                 // empty read-only tmpfs (runc's masked paths); MF_OPTIONAL: skip if missing
  Rebind = 11,   // binds target onto itself with the op's flags (runc's read-only paths)
};

enum MountFlag : uint32_t {
  MF_READONLY = 1u << 0,
  MF_RECURSIVE = 1u << 1,
  MF_NOSUID = 1u << 2,
  MF_NODEV = 1u << 3,
  MF_NOEXEC = 1u << 4,
  MF_OPTIONAL = 1u << 5,  // if the kernel refuses (EPERM/EACCES), keep what is there
  MF_IDMAP = 1u << 6,     // Bind/RootDir: idmapped through the container's user namespace (root callers)
};

enum BootFlag : uint32_t {
  BF_LOOPBACK = 1u << 0,   // bring lo up in the new net namespace
  BF_INIT = 1u << 1,       // stage 2 stays as a reaping, signal-forwarding PID 1
  BF_START_NOW = 1u << 2,  // no start barrier (Container.run)
  BF_EXEC = 1u << 3,       // a further process joining a running container
  BF_SIGNAL_ALL = 1u << 4, // join, kill(-1, signal) every process of the pid namespace, exit
  BF_TERMINAL = 1u << 5,   // the main process gets a pty; its master goes to the addon
};

struct MountOp {
  MountKind kind = MountKind::Bind;
  std::string source, target, data;
  uint32_t flags = 0;
  uint32_t mode = 0;
  uint64_t size = 0;
};

struct Rlimit {
  uint32_t resource = 0;
  uint64_t soft = 0, hard = 0;
};

struct NsPath {
  std::string type;  // the /proc/<pid>/ns name: user, mnt, net, ...
  std::string path;
};

struct Bootstrap {
  // stages 0 and 1
  uint32_t clone_flags = 0;
  std::vector<NsPath> ns_paths;
  std::vector<NsPath> nested_paths;
  std::string uid_map, gid_map, uid_map_path, gid_map_path, oom_score_adj, timens_offsets;
  bool setgroups = false;
  bool rootless_euid = false;
  std::vector<std::string> cgroups;
  uint32_t pdeathsig = 9;
  // stage 2
  std::vector<std::string> args, env;
  std::string cwd = "/", hostname;
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> groups;
  std::vector<MountOp> mounts;
  std::vector<Rlimit> rlimits;
  uint64_t caps = 0;
  bool no_new_privs = true;
  std::vector<uint8_t> seccomp;
  uint32_t flags = 0;
  uint32_t extra_fds = 0;
  uint32_t log_level = 0;
  uint32_t signal = 0;
  uint32_t terminal_size = (80u << 16) | 24u;
};

// "type:path,type:path" <-> list; refuses a path with a comma (it cannot be encoded).
bool format_ns_paths(const std::vector<NsPath>& in, std::string* out, std::string* err);
bool parse_ns_paths(const std::string& in, std::vector<NsPath>* out, std::string* err);

bool encode_bootstrap(const Bootstrap& b, std::vector<uint8_t>* out, std::string* err);
bool decode_bootstrap(const uint8_t* buf, size_t len, Bootstrap* b, std::string* err);

}  // namespace nsj::proto
