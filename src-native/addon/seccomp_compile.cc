// The seccomp policy compiler: JS policy object -> checked model -> classic BPF.
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
constexpr uint32_t kMaxErrno = 4095;  // beyond it libc would not read the result as an error
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

// A validation failure; only our own, so errors thrown by JS getters pass through.
struct Invalid {
  std::string message;
};

[[noreturn]] void invalid(const std::string& field, const std::string& what) { throw Invalid{field + " " + what}; }

bool is_plain_object(const Napi::Value& v) { return v.IsObject() && !v.IsArray(); }

bool integral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

std::string indexed(const std::string& field, uint32_t i) { return field + "[" + std::to_string(i) + "]"; }

uint32_t read_errno(const Napi::Value& v, const std::string& field) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (integral(d) && d >= 0 && d <= kMaxErrno) return static_cast<uint32_t>(d);
  }
  invalid(field, "must be an integer 0..4095");
}

// An action and its errno, e.g. {action: 'errno', errno: 13}, as a SECCOMP_RET_* value.
uint32_t read_ret(const Napi::Object& o, const std::string& base, const char* action_key, const char* errno_key) {
  Napi::Value av = o.Get(action_key);
  std::string action = av.IsString() ? av.As<Napi::String>().Utf8Value() : "";
  Napi::Value ev = o.Get(errno_key);
  if (action == "errno") {
    uint32_t e = ev.IsUndefined() ? EPERM : read_errno(ev, base + "." + errno_key);
    return SECCOMP_RET_ERRNO | e;
  }
  uint32_t ret;
  if (action == "allow")
    ret = SECCOMP_RET_ALLOW;
  else if (action == "kill")
    ret = kRetKill;
  else if (action == "log")
    ret = SECCOMP_RET_LOG;
  else
    invalid(base + "." + action_key, "must be one of 'allow', 'errno', 'kill', 'log'");
  if (!ev.IsUndefined()) invalid(base + "." + errno_key, std::string("is only valid with ") + action_key + " 'errno'");
  return ret;
}

// A number (safe integer) or bigint in -2^63 .. 2^64-1; negatives as two's complement,
// which is what a sign-extended int argument looks like in the register.
uint64_t read_u64(const Napi::Value& v, const std::string& field) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (integral(d) && std::fabs(d) <= 9007199254740991.0)
      return d < 0 ? static_cast<uint64_t>(static_cast<int64_t>(d)) : static_cast<uint64_t>(d);
  } else if (v.IsBigInt()) {
    bool lossless = false;
    int64_t s = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (lossless) return static_cast<uint64_t>(s);
    uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (lossless) return u;
  }
  invalid(field, "must be a safe integer or a bigint in -2^63..2^64-1");
}

Op read_op(const Napi::Value& v, const std::string& field) {
  static const std::pair<const char*, Op> kOps[] = {{"eq", Op::kEq}, {"ne", Op::kNe}, {"lt", Op::kLt},
                                                    {"le", Op::kLe}, {"gt", Op::kGt}, {"ge", Op::kGe},
                                                    {"maskedEq", Op::kMaskedEq}};
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    for (const auto& [name, op] : kOps)
      if (s == name) return op;
  }
  invalid(field, "must be one of 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'maskedEq'");
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

void read_args(const Napi::Value& v, const std::string& field, Rule* rule) {
  if (v.IsUndefined()) return;
  if (!v.IsArray()) invalid(field, "must be an array");
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    std::string f = indexed(field, i);
    Napi::Value cv = arr.Get(i);
    if (!is_plain_object(cv)) invalid(f, "must be an object");
    Napi::Object c = cv.As<Napi::Object>();
    ArgCheck check{};
    Napi::Value iv = c.Get("index");
    double index = iv.IsNumber() ? iv.As<Napi::Number>().DoubleValue() : -1;
    if (!integral(index) || index < 0 || index > 5) invalid(f + ".index", "must be 0..5");
    check.index = static_cast<uint32_t>(index);
    check.op = read_op(c.Get("op"), f + ".op");
    check.value = read_u64(c.Get("value"), f + ".value");
    Napi::Value mv = c.Get("mask");
    if (check.op == Op::kMaskedEq) {
      if (mv.IsUndefined()) invalid(f + ".mask", "is required with op 'maskedEq'");
      check.mask = read_u64(mv, f + ".mask");
    } else if (!mv.IsUndefined()) {
      invalid(f + ".mask", "is only valid with op 'maskedEq'");
    }
    // Checks that always hold are dropped; one that never does voids the rule.
    std::optional<bool> constant = constant_outcome(check);
    if (!constant)
      rule->checks.push_back(check);
    else if (!*constant)
      rule->never = true;
  }
}

void read_syscalls(const Napi::Value& v, const std::string& field, bool ignore_unknown, Rule* rule) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() == 0)
    invalid(field, "must be a non-empty array of system call names");
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    std::string f = indexed(field, i);
    Napi::Value nv = arr.Get(i);
    if (!nv.IsString()) invalid(f, "must be a string");
    std::string name = nv.As<Napi::String>().Utf8Value();
    if (name.empty()) invalid(f, "must be a non-empty string");
    int nr = syscall_number(name);
    if (nr >= 0)
      rule->syscalls.push_back(nr);
    else if (!ignore_unknown)
      throw Invalid{f + ": unknown system call '" + name + "' on " + syscall_arch_name()};
  }
}

Policy read_policy(const Napi::Object& o) {
  const std::string root = "seccomp";
  Policy p;
  bool ignore_unknown = false;
  Napi::Value iu = o.Get("ignoreUnknown");
  if (!iu.IsUndefined()) {
    if (!iu.IsBoolean()) invalid(root + ".ignoreUnknown", "must be a boolean");
    ignore_unknown = iu.As<Napi::Boolean>().Value();
  }
  p.default_ret = read_ret(o, root, "defaultAction", "defaultErrno");
  Napi::Value rv = o.Get("rules");
  if (!rv.IsArray()) invalid(root + ".rules", "must be an array");
  Napi::Array rules = rv.As<Napi::Array>();
  for (uint32_t i = 0; i < rules.Length(); i++) {
    std::string f = indexed(root + ".rules", i);
    Napi::Value v = rules.Get(i);
    if (!is_plain_object(v)) invalid(f, "must be an object");
    Napi::Object r = v.As<Napi::Object>();
    Rule rule;
    read_syscalls(r.Get("syscalls"), f + ".syscalls", ignore_unknown, &rule);
    rule.ret = read_ret(r, f, "action", "errno");
    read_args(r.Get("args"), f + ".args", &rule);
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
  } catch (const Invalid& e) {
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
