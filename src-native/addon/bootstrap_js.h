// BootstrapSpec (src-ts/native.ts) <-> proto::Bootstrap, and the protocol's constants
// for TypeScript (mount kinds and flags, boot flags, stages, the namespace table, the
// bootstrap's field names): TypeScript takes them from here instead of mirroring them.
#pragma once
#include <napi.h>

#include "../protocol/bootstrap.h"

namespace nsj {
proto::Bootstrap bootstrap_from_js(const Napi::Object& spec);  // throws a TypeError naming the field
Napi::Object bootstrap_to_js(Napi::Env env, const proto::Bootstrap& b);
Napi::Object protocol_constants(Napi::Env env);
}  // namespace nsj
