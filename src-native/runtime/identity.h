// What a stage does to itself: its name, whether it may be inspected, its credentials,
// and its tie to the addon.
#pragma once
#include "../common/status.h"
#include "context.h"

namespace nsj {

// Renames this process (comm and argv[0]) and records the stage for error records.
void enter_stage(Ctx& ctx, uint32_t stage, const char* name);
// PR_SET_DUMPABLE: whether processes of our uid may ptrace us or open /proc/<pid>.
Status set_dumpable(bool on);
// setresgid/setresuid(0): root inside the user namespace we created or joined.
Status become_root();
// Kills us when the addon's thread goes away (credential changes clear this: call it
// after them), and exits now if it already has.
Status die_with_parent(Ctx& ctx);

}  // namespace nsj
