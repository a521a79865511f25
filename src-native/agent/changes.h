// An overlay's upper layer as a list: everything the program added, changed or deleted
// in the view (whiteouts and opaque directories as overlayfs records them: a character
// device 0:0, and the trusted. or, in a user namespace, user.overlay.opaque xattr).
// Whether a path was added or modified is for the caller to tell: it knows the source.
#pragma once
#include "../common/status.h"

namespace nsj::agent {

// `layer`: a directory fd of the upper layer (handed to the agent as an extra fd).
Status list_changes(int layer);

}  // namespace nsj::agent
