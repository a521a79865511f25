// The file agent's data channel: how the caller (src-ts/file-agent.ts) reads and writes
// files inside a container through the agent (agent/, started with BF_FILES). Frames on
// two stream sockets, requests on the agent's stdin and replies on its stdout, one
// request at a time:
//
//   frame    u32 payload length, u32 type (a FileFrame), payload (native byte order)
//
// File contents travel in DATA frames of at most kFileChunk bytes, so that neither side
// ever holds a whole big file in one message.
#pragma once
#include <cstdint>

namespace nsj::proto {

constexpr uint32_t kFileChunk = 256 * 1024;
constexpr uint32_t kMaxFramePayload = kFileChunk + 8192;  // a chunk, or a path and its header

// X(NAME, JsName, value, "payload: what follows")
#define NSJ_FILE_FRAMES(X)                                                                                     \
  X(REQ_READ, ReqRead, 1, "path: FILE, DATA..., END; or ERROR")                                                 \
  X(REQ_WRITE, ReqWrite, 2, "u32 mode, path; the caller then sends DATA... and END: OK or ERROR")               \
  X(REQ_WALK, ReqWalk, 3, "path: an ENTRY for it and everything below (a file's followed by DATA... END), DONE") \
  X(REQ_MKDIR, ReqMkdir, 4, "u32 mode, path: OK or ERROR")                                                      \
  X(REQ_CHANGES, ReqChanges, 5, "u32 fd of an overlay's upper layer: an ENTRY for everything in it, DONE")      \
  X(OK, Ok, 32, "nothing")                                                                                      \
  X(ERROR, Error, 33, "u32 errno, the system call, NUL, what it was doing")                                     \
  X(FILE, File, 34, "u64 size, u32 mode: the file that DATA frames follow for")                                 \
  X(DATA, Data, 35, "bytes")                                                                                    \
  X(END, End, 36, "nothing: the file is complete")                                                              \
  X(ENTRY, Entry, 37, "FileEntry, then the path relative to the request's (empty for itself)")                  \
  X(DONE, Done, 38, "nothing: no more entries")

enum FileFrame : uint32_t {
#define NSJ_X(NAME, Js, value, what) FF_##NAME = value,
  NSJ_FILE_FRAMES(NSJ_X)
#undef NSJ_X
};

// What an ENTRY says of a path. A whiteout (a character device 0:0 in an upper layer) is
// a deletion; an opaque directory hides everything of the lower layer below it.
enum EntryKind : uint32_t { EK_FILE = 1, EK_DIR = 2, EK_SYMLINK = 3, EK_OTHER = 4, EK_WHITEOUT = 5 };
enum EntryFlag : uint32_t { EF_OPAQUE = 1, EF_UNREADABLE = 2 };

struct FileEntry {
  uint32_t kind;
  uint32_t mode;
  uint64_t size;
  uint32_t flags;
  uint32_t pad;
};
static_assert(sizeof(FileEntry) == 24, "FileEntry is 24 bytes on the wire");

}  // namespace nsj::proto
