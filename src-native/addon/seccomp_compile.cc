// The seccomp policy compiler: validated JS policy -> model -> classic BPF.
// The program layout is described in seccomp_compile.h.
#include "seccomp_compile.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>

#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "syscall_table.h"

// Older headers lack these; the values are kernel ABI.
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif

namespace nsj {
namespace {

// ---- This build's architecture ----

#if defined(__x86_64__) && !defined(__ILP32__)
constexpr bool kArchSupported = true;
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
constexpr bool kHasX32 = true;
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr bool kArchSupported = true;
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
constexpr bool kHasX32 = false;
#else
constexpr bool kArchSupported = false;
constexpr uint32_t kAuditArch = 0;
constexpr bool kHasX32 = false;
#endif

constexpr uint32_t kX32SyscallBit = 0x40000000u;
constexpr size_t kMaxInstructions = BPF_MAXINSNS;
constexpr uint32_t kRetKill = SECCOMP_RET_KILL_PROCESS;
constexpr uint32_t kRetX32 = SECCOMP_RET_ERRNO | ENOSYS;

constexpr uint32_t kNrOffset = offsetof(struct seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(struct seccomp_data, arch);

// Offset of the high or low 32-bit half of args[index] in seccomp_data.
uint32_t arg_word_offset(uint32_t index, bool high) {
  constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  uint32_t base = static_cast<uint32_t>(offsetof(struct seccomp_data, args)) + 8 * index;
  return base + (high == kLittleEndian ? 4 : 0);
}

// ---- The policy, checked ----

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kMaskedEq };

struct ArgCheck {
  uint32_t index;
  Op op;
  uint64_t value;
  uint64_t mask;  // kMaskedEq only
};

struct Rule {
  std::vector<int> syscalls;  // numbers on this architecture
  uint32_t ret;               // SECCOMP_RET_* value
  std::vector<ArgCheck> checks;
  bool never = false;  // some check can never hold: the rule matches nothing
};

struct Policy {
  uint32_t default_ret = SECCOMP_RET_ALLOW;
  std::vector<Rule> rules;
};

// The policy comes from validateSeccompPolicy (src-ts/seccomp.ts), the one place that
// checks its shape and names the field at fault. Read here is only what this code needs
// to stay in bounds (an argument index, numbers that fit their C types) and to mean what
// it says (a known action or operator): anything else is a caller's bug, refused rather
// than guessed at. Wrong JS types are refused by N-API itself (Napi::Error).
// The one user-facing check made here is the system call names, because the table is
// this build's (syscall_table.h): see compileSeccompPolicy for how that error reaches
// the field.
struct Refused {
  std::string message;
};

[[noreturn]] void unvalidated(const std::string& what) {
  throw Refused{"compileSeccomp takes a policy from validateSeccompPolicy: " + what};
}

bool integral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

std::string str(double d) {
  std::ostringstream os;
  os << d;
  return os.str();
}

// An action and its errno (EPERM when absent) as a SECCOMP_RET_* value.
uint32_t read_ret(const Napi::Object& o, const char* action_key, const char* errno_key) {
  std::string action = o.Get(action_key).As<Napi::String>().Utf8Value();
  if (action == "allow") return SECCOMP_RET_ALLOW;
  if (action == "kill") return kRetKill;
  if (action == "log") return SECCOMP_RET_LOG;
  if (action != "errno") unvalidated(std::string(action_key) + " '" + action + "'");
  Napi::Value ev = o.Get(errno_key);
  if (ev.IsUndefined()) return SECCOMP_RET_ERRNO | EPERM;
  // More than SECCOMP_RET_DATA would spill into the action bits.
  double e = ev.As<Napi::Number>().DoubleValue();
  if (!integral(e) || e < 0 || e > SECCOMP_RET_DATA) unvalidated(std::string(errno_key) + " " + str(e));
  return SECCOMP_RET_ERRNO | static_cast<uint32_t>(e);
}

// A number or bigint as the 64-bit word it stands for (negatives as two's complement,
// which is what a sign-extended int argument looks like in the register).
uint64_t read_u64(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t s = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (lossless) return static_cast<uint64_t>(s);
    uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (lossless) return u;
    unvalidated("a bigint beyond 64 bits");
  }
  double d = v.As<Napi::Number>().DoubleValue();
  // The casts below are only defined within these bounds.
  if (!integral(d) || d < -9223372036854775808.0 || d >= 18446744073709551616.0) unvalidated("a value beyond 64 bits");
  return d < 0 ? static_cast<uint64_t>(static_cast<int64_t>(d)) : static_cast<uint64_t>(d);
}

Op read_op(const std::string& s) {
  static const std::pair<const char*, Op> kOps[] = {{"eq", Op::kEq}, {"ne", Op::kNe}, {"lt", Op::kLt},
                                                    {"le", Op::kLe}, {"gt", Op::kGt}, {"ge", Op::kGe},
                                                    {"maskedEq", Op::kMaskedEq}};
  for (const auto& [name, op] : kOps)
    if (s == name) return op;
  unvalidated("op '" + s + "'");
}

// Whether a check holds for every argument value (true), for none (false), or depends.
std::optional<bool> constant_outcome(const ArgCheck& c) {
  switch (c.op) {
    case Op::kLt:
      if (c.value == 0) return false;
      break;
    case Op::kGe:
      if (c.value == 0) return true;
      break;
    case Op::kGt:
      if (c.value == UINT64_MAX) return false;
      break;
    case Op::kLe:
      if (c.value == UINT64_MAX) return true;
      break;
    case Op::kMaskedEq:
      if (c.value & ~c.mask) return false;
      if (c.mask == 0) return true;
      break;
    case Op::kEq:
    case Op::kNe:
      break;
  }
  return std::nullopt;
}

void read_args(const Napi::Array& args, Rule* rule) {
  for (uint32_t i = 0; i < args.Length(); i++) {
    Napi::Object c = args.Get(i).As<Napi::Object>();
    ArgCheck check{};
    // The index becomes an offset into seccomp_data: it must stay within args[6].
    double index = c.Get("index").As<Napi::Number>().DoubleValue();
    if (!integral(index) || index < 0 || index > 5) unvalidated("argument index " + str(index));
    check.index = static_cast<uint32_t>(index);
    check.op = read_op(c.Get("op").As<Napi::String>().Utf8Value());
    check.value = read_u64(c.Get("value"));
    if (check.op == Op::kMaskedEq) check.mask = read_u64(c.Get("mask"));
    // Checks that always hold are dropped; one that never does voids the rule.
    std::optional<bool> constant = constant_outcome(check);
    if (!constant)
      rule->checks.push_back(check);
    else if (!*constant)
      rule->never = true;
  }
}

// Names -> this architecture's numbers. An unknown name is the caller's error, named by
// its field (seccomp.rules[i].syscalls[j]), unless ignoreUnknown skips it.
void read_syscalls(const Napi::Array& names, uint32_t rule_index, bool ignore_unknown, Rule* rule) {
  for (uint32_t i = 0; i < names.Length(); i++) {
    std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    int nr = syscall_number(name);
    if (nr >= 0) {
      rule->syscalls.push_back(nr);
    } else if (!ignore_unknown) {
      std::string message = "seccomp.rules[" + std::to_string(rule_index) + "].syscalls[" + std::to_string(i) +
                            "]: unknown system call '" + name + "' on " + syscall_arch_name();
      if (const char* arch = syscall_arch_elsewhere(name)) message += std::string(" (it exists on ") + arch + " only)";
      throw Refused{message};
    }
  }
}

Policy read_policy(const Napi::Object& o) {
  Policy p;
  Napi::Value iu = o.Get("ignoreUnknown");
  bool ignore_unknown = iu.IsBoolean() && iu.As<Napi::Boolean>().Value();
  p.default_ret = read_ret(o, "defaultAction", "defaultErrno");
  Napi::Array rules = o.Get("rules").As<Napi::Array>();
  for (uint32_t i = 0; i < rules.Length(); i++) {
    Napi::Object r = rules.Get(i).As<Napi::Object>();
    Rule rule;
    read_syscalls(r.Get("syscalls").As<Napi::Array>(), i, ignore_unknown, &rule);
    rule.ret = read_ret(r, "action", "errno");
    Napi::Value args = r.Get("args");
    if (!args.IsUndefined()) read_args(args.As<Napi::Array>(), &rule);
    p.rules.push_back(std::move(rule));
  }
  return p;
}

// ---- What each system call number amounts to ----

// For one number: the rules with argument checks that can decide it, in policy order,
// then what happens when none matches (the first rule without checks, else the default).
struct Decision {
  std::vector<size_t> conditional;
  uint32_t fallback;
  bool operator<(const Decision& o) const {
    return std::tie(conditional, fallback) < std::tie(o.conditional, o.fallback);
  }
};

// Rule order only matters among rules naming the same number, so grouping by number
// keeps "first match wins". Numbers whose decision is just the default are left out.
std::map<int, Decision> decide(const Policy& p) {
  std::map<int, Decision> out;
  std::set<int> settled;  // an unconditional rule already decided these
  for (size_t i = 0; i < p.rules.size(); i++) {
    const Rule& r = p.rules[i];
    if (r.never) continue;
    for (int nr : r.syscalls) {
      if (settled.count(nr)) continue;
      Decision& d = out.try_emplace(nr, Decision{{}, p.default_ret}).first->second;
      if (r.checks.empty()) {
        d.fallback = r.ret;
        settled.insert(nr);
      } else if (d.conditional.empty() || d.conditional.back() != i) {
        d.conditional.push_back(i);
      }
    }
  }
  for (auto it = out.begin(); it != out.end();) {
    Decision& d = it->second;
    // A last conditional rule with the fallback's action changes nothing.
    while (!d.conditional.empty() && p.rules[d.conditional.back()].ret == d.fallback) d.conditional.pop_back();
    if (d.conditional.empty() && d.fallback == p.default_ret)
      it = out.erase(it);
    else
      ++it;
  }
  return out;
}

// ---- Emitting classic BPF, back to front ----

// Code is generated from the last instruction to the first, so every jump's target is
// already placed and its distance known; a target beyond the 8-bit offsets is reached
// through a bridge placed right after the jump.
class Emitter {
 public:
  using Label = size_t;  // an instruction's index counted from the end: fixed once emitted

  size_t size() const { return code_.size(); }

  Label ret(uint32_t k) { return push(insn(BPF_RET | BPF_K, k)); }

  // Non-jump instructions continue with the next one, so `then` is made the next.
  Label load(uint32_t offset, Label then) {
    adjoin(then);
    return push(insn(BPF_LD | BPF_W | BPF_ABS, offset));
  }
  Label and_k(uint32_t k, Label then) {
    adjoin(then);
    return push(insn(BPF_ALU | BPF_AND | BPF_K, k));
  }

  // if (A <op> k) goto jt; else goto jf. Tests with a known outcome emit nothing.
  Label jump(uint16_t op, uint32_t k, Label jt, Label jf) {
    if (jt == jf) return jt;
    if (op == BPF_JGE && k == 0) return jt;
    if (op == BPF_JGT && k == UINT32_MAX) return jf;
    for (;;) {
      bool far_t = distance(jt) > 255, far_f = distance(jf) > 255;
      if (!far_t && !far_f) break;
      Label far = far_t ? jt : jf;
      Label near = bridge(far);
      if (jt == far) jt = near;
      if (jf == far) jf = near;
    }
    return push(insn(BPF_JMP | op | BPF_K, k, static_cast<uint8_t>(distance(jt)), static_cast<uint8_t>(distance(jf))));
  }

  // Makes `target` the next instruction to run (a bridge to it unless it already is).
  Label adjoin(Label target) {
    if (!code_.empty() && target == code_.size() - 1) return target;
    return bridge(target);
  }

  std::vector<sock_filter> program() const { return std::vector<sock_filter>(code_.rbegin(), code_.rend()); }

 private:
  static sock_filter insn(uint16_t code, uint32_t k, uint8_t jt = 0, uint8_t jf = 0) {
    sock_filter f;
    f.code = code;
    f.jt = jt;
    f.jf = jf;
    f.k = k;
    return f;
  }

  Label push(const sock_filter& f) {
    code_.push_back(f);
    return code_.size() - 1;
  }

  // The offset a jump emitted now needs to reach `target`.
  size_t distance(Label target) const { return code_.size() - 1 - target; }

  // An unconditional way to `target`: a copy when it is a return, else a long jump.
  Label bridge(Label target) {
    const sock_filter& t = code_[target];
    if (BPF_CLASS(t.code) == BPF_RET) return push(t);
    return push(insn(BPF_JMP | BPF_JA, static_cast<uint32_t>(distance(target))));
  }

  std::vector<sock_filter> code_;  // reversed
};

using Label = Emitter::Label;

// Loads the word at `offset` ahead of `test`, unless the test emitted nothing (its
// outcome was known), in which case no load is needed either.
Label load_for(Emitter& e, size_t size_before, uint32_t offset, Label test) {
  return e.size() == size_before ? test : e.load(offset, test);
}

// Loads the high word and goes to `above`, `equal` or `below` as it compares with `k`.
Label compare_high(Emitter& e, uint32_t offset, uint32_t k, Label above, Label equal, Label below) {
  size_t before = e.size();
  Label test;
  if (k == 0)
    test = e.jump(BPF_JGT, 0, above, equal);  // nothing is below 0
  else if (k == UINT32_MAX)
    test = e.jump(BPF_JEQ, k, equal, below);  // nothing is above the maximum
  else
    test = e.jump(BPF_JGT, k, above, e.jump(BPF_JEQ, k, equal, below));
  return load_for(e, before, offset, test);
}

// Loads the low word and tests it: if (A <op> k) goto jt; else goto jf.
Label test_low(Emitter& e, uint32_t offset, uint16_t op, uint32_t k, Label jt, Label jf) {
  size_t before = e.size();
  return load_for(e, before, offset, e.jump(op, k, jt, jf));
}

// (word & mask) == k on one 32-bit half.
Label masked_word_eq(Emitter& e, uint32_t offset, uint32_t mask, uint32_t k, Label pass, Label fail) {
  if (mask == 0) return k == 0 ? pass : fail;
  size_t before = e.size();
  Label test = e.jump(BPF_JEQ, k, pass, fail);
  if (e.size() == before) return test;
  if (mask != UINT32_MAX) test = e.and_k(mask, test);
  return e.load(offset, test);
}

// Goes to `pass` when the 64-bit argument satisfies the check, else to `fail`
// (unsigned comparisons: the high halves decide unless they are equal).
Label emit_check(Emitter& e, const ArgCheck& c, Label pass, Label fail) {
  const uint32_t hi = static_cast<uint32_t>(c.value >> 32), lo = static_cast<uint32_t>(c.value);
  const uint32_t hi_off = arg_word_offset(c.index, true), lo_off = arg_word_offset(c.index, false);
  Label low;
  switch (c.op) {
    case Op::kEq:
      low = test_low(e, lo_off, BPF_JEQ, lo, pass, fail);
      return test_low(e, hi_off, BPF_JEQ, hi, low, fail);
    case Op::kNe:
      low = test_low(e, lo_off, BPF_JEQ, lo, fail, pass);
      return test_low(e, hi_off, BPF_JEQ, hi, low, pass);
    case Op::kGt:
      low = test_low(e, lo_off, BPF_JGT, lo, pass, fail);
      return compare_high(e, hi_off, hi, pass, low, fail);
    case Op::kGe:
      low = test_low(e, lo_off, BPF_JGE, lo, pass, fail);
      return compare_high(e, hi_off, hi, pass, low, fail);
    case Op::kLt:
      low = test_low(e, lo_off, BPF_JGE, lo, fail, pass);
      return compare_high(e, hi_off, hi, fail, low, pass);
    case Op::kLe:
      low = test_low(e, lo_off, BPF_JGT, lo, fail, pass);
      return compare_high(e, hi_off, hi, fail, low, pass);
    case Op::kMaskedEq:
      low = masked_word_eq(e, lo_off, static_cast<uint32_t>(c.mask), lo, pass, fail);
      return masked_word_eq(e, hi_off, static_cast<uint32_t>(c.mask >> 32), hi, low, fail);
  }
  return fail;  // not reached: every op is handled above
}

// A rule's checks in order (all must hold), then its action; any failure goes to `fail`.
Label emit_rule(Emitter& e, const Rule& r, const std::map<uint32_t, Label>& rets, Label fail) {
  Label next = rets.at(r.ret);
  for (size_t j = r.checks.size(); j-- > 0;) next = emit_check(e, r.checks[j], next, fail);
  return next;
}

Label emit_decision(Emitter& e, const Policy& p, const Decision& d, const std::map<uint32_t, Label>& rets) {
  Label next = rets.at(d.fallback);
  for (size_t j = d.conditional.size(); j-- > 0;) next = emit_rule(e, p.rules[d.conditional[j]], rets, next);
  return next;
}

struct Target {
  uint32_t nr;
  Label to;
};

// Binary search on the syscall number (in A) over sorted targets; small ranges are
// tested one by one. Numbers not found go to `miss`.
Label emit_dispatch(Emitter& e, const std::vector<Target>& t, size_t lo, size_t hi, Label miss) {
  constexpr size_t kLinear = 4;
  if (hi - lo <= kLinear) {
    Label next = miss;
    for (size_t i = hi; i-- > lo;) next = e.jump(BPF_JEQ, t[i].nr, t[i].to, next);
    return next;
  }
  size_t mid = lo + (hi - lo) / 2;
  Label upper = emit_dispatch(e, t, mid, hi, miss);
  Label lower = emit_dispatch(e, t, lo, mid, miss);
  return e.jump(BPF_JGE, t[mid].nr, upper, lower);
}

std::vector<sock_filter> generate(const Policy& p) {
  const std::map<int, Decision> decisions = decide(p);
  Emitter e;

  // 5. The returns, one per distinct action.
  std::set<uint32_t> actions = {p.default_ret, kRetKill};
  if (kHasX32) actions.insert(kRetX32);
  for (const auto& [nr, d] : decisions) {
    actions.insert(d.fallback);
    for (size_t i : d.conditional) actions.insert(p.rules[i].ret);
  }
  std::map<uint32_t, Label> rets;
  for (uint32_t a : actions) rets[a] = e.ret(a);

  // 4. Argument checks, shared by the numbers whose decisions are the same.
  std::map<Decision, Label> bodies;
  std::vector<Target> targets;
  for (const auto& [nr, d] : decisions) {
    auto it = bodies.find(d);
    if (it == bodies.end()) it = bodies.emplace(d, emit_decision(e, p, d, rets)).first;
    targets.push_back({static_cast<uint32_t>(nr), it->second});
  }

  // 3. Dispatch on the number.
  Label start = emit_dispatch(e, targets, 0, targets.size(), rets.at(p.default_ret));

  // 2. The number; x32's share the x86_64 table with a flag bit, and must not slip past.
  if (kHasX32) start = e.jump(BPF_JGE, kX32SyscallBit, rets.at(kRetX32), start);
  start = e.load(kNrOffset, start);

  // 1. The architecture: the numbers above mean nothing under another one.
  start = e.jump(BPF_JEQ, kAuditArch, start, rets.at(kRetKill));
  e.load(kArchOffset, start);
  return e.program();
}

}  // namespace

bool compile_seccomp(const Napi::Object& policy, std::vector<uint8_t>* prog, std::string* err) {
  if (!kArchSupported) {
    *err = "seccomp: policies are only supported on x86_64 and aarch64";
    return false;
  }
  Policy p;
  try {
    p = read_policy(policy);
  } catch (const Refused& e) {
    *err = e.message;
    return false;
  }
  std::vector<sock_filter> code = generate(p);
  if (code.size() > kMaxInstructions) {
    *err = "seccomp: the policy compiles to " + std::to_string(code.size()) +
           " BPF instructions, more than the kernel's limit of " + std::to_string(kMaxInstructions) +
           "; use fewer rules or argument conditions";
    return false;
  }
  static_assert(sizeof(sock_filter) == 8, "struct sock_filter is 8 bytes");
  prog->resize(code.size() * sizeof(sock_filter));
  std::memcpy(prog->data(), code.data(), prog->size());
  return true;
}

}  // namespace nsj
