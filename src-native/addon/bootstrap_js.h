// The bootstrap between its JS shape (src-ts/native.ts BootstrapSpec) and the C++ one.
#pragma once
#include <napi.h>

#include "../protocol/bootstrap.h"

namespace nsj {
proto::Bootstrap bootstrap_from_js(const Napi::Object& spec);  // throws TypeError naming the field
Napi::Object bootstrap_to_js(Napi::Env env, const proto::Bootstrap& b);
}  // namespace nsj
