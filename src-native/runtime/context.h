// What every stage of the init program knows: the decoded bootstrap, its channels, and
// which processes to take down with it if it fails. The bottom layer of the init
// program: nsexec/ (the stages) and setup/ (what stage 2 sets up) both build on it.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "../common/fd.h"
#include "../common/fd_layout.h"
#include "../protocol/bootstrap.h"
#include "../protocol/report.h"

namespace nsj {

struct Ctx {
  proto::Bootstrap boot;
  uint32_t stage = proto::STAGE_PARENT;   // who reports: parent, child, init, or main
  int init_fd = -1;                       // our copy of the init socket, above every extra fd
  int sync_child[2] = {-1, -1};           // [0] stage 0's end, [1] stage 1's end
  int sync_grandchild[2] = {-1, -1};      // [0] stage 0's end, [1] stage 2's end
  pid_t kill_on_fail[2] = {0, 0};         // SIGKILLed if this stage dies
  std::vector<Fd> caller_trees;           // by mount operation: sources stage 0 opened (setup/caller_sources.h)
  std::vector<Fd> caller_uppers;          // by mount operation: a clone of the directory of an overlay's host upper dir
  std::vector<Fd> layers;                 // stage 2: each overlay's upper layer, in mount order, for the addon
  char* title = nullptr;                  // argv[0], rewritten to name the stage in ps
  size_t title_len = 0;
};

}  // namespace nsj
