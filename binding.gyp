{
  "variables": {
    # A static init program execs faster (no dynamic loader) and runs on any glibc; build
    # it so where the toolchain has a static libc (Debian: libc6-dev; Fedora: glibc-static).
    "init_link": "<!(sh -c \"echo 'int main(){return 0;}' | ${CXX:-c++} -x c++ -static -o /dev/null - >/dev/null 2>&1 && echo static || echo dynamic\")",
    "shared_sources": [
      "src-native/common/fd_passing.cc",
      "src-native/protocol/netlink.cc",
      "src-native/protocol/bootstrap.cc",
      "src-native/protocol/report.cc",
      "src-native/protocol/sync.cc"
    ]
  },
  "targets": [
    {
      "target_name": "nsjail_ts",
      "sources": [
        "<@(shared_sources)",
        "src-native/addon/bindings.cc",
        "src-native/addon/bootstrap_js.cc",
        "src-native/addon/cgroup_watch.cc",
        "src-native/addon/closer.cc",
        "src-native/addon/datagram.cc",
        "src-native/addon/init_binary.cc",
        "src-native/addon/memfd.cc",
        "src-native/addon/reactor.cc",
        "src-native/addon/seccomp_compile.cc",
        "src-native/addon/syscall_table.cc",
        "src-native/addon/spawn.cc",
        "src-native/addon/zygote.cc"
      ],
      # The system call table, generated from the kernel headers the compiler sees.
      "actions": [
        {
          "action_name": "syscall_table",
          "inputs": ["src-native/addon/gen_syscall_table.mjs"],
          "outputs": ["<(SHARED_INTERMEDIATE_DIR)/syscall_table.inc"],
          "action": ["node", "src-native/addon/gen_syscall_table.mjs", "<(SHARED_INTERMEDIATE_DIR)/syscall_table.inc"]
        }
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<(SHARED_INTERMEDIATE_DIR)"],
      "defines": ["NAPI_VERSION=9", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-missing-field-initializers", "-fexceptions"]
    },
    {
      "target_name": "nsjail-ts-init",
      "type": "executable",
      "sources": [
        "<@(shared_sources)",
        "src-native/agent/changes.cc",
        "src-native/agent/file_ops.cc",
        "src-native/agent/frames.cc",
        "src-native/agent/server.cc",
        "src-native/nsexec/barrier.cc",
        "src-native/nsexec/cgroup_entry.cc",
        "src-native/nsexec/file_agent.cc",
        "src-native/nsexec/idmap.cc",
        "src-native/nsexec/join.cc",
        "src-native/nsexec/main.cc",
        "src-native/nsexec/entry.cc",
        "src-native/nsexec/zygote.cc",
        "src-native/nsexec/main_process.cc",
        "src-native/nsexec/reaper.cc",
        "src-native/nsexec/stage0.cc",
        "src-native/nsexec/stage1.cc",
        "src-native/nsexec/stage2.cc",
        "src-native/runtime/channel.cc",
        "src-native/runtime/sealed_read.cc",
        "src-native/runtime/fail.cc",
        "src-native/runtime/identity.cc",
        "src-native/runtime/namespaces.cc",
        "src-native/setup/caller_sources.cc",
        "src-native/setup/caps.cc",
        "src-native/setup/dev.cc",
        "src-native/setup/fixtures.cc",
        "src-native/setup/masks.cc",
        "src-native/setup/mount_lock.cc",
        "src-native/setup/mounts.cc",
        "src-native/setup/network.cc",
        "src-native/setup/overlay.cc",
        "src-native/setup/paths.cc",
        "src-native/setup/process.cc",
        "src-native/setup/program.cc",
        "src-native/setup/rlimits.cc",
        "src-native/setup/rootfs.cc",
        "src-native/setup/seccomp.cc",
        "src-native/setup/setup.cc",
        "src-native/setup/skeleton.cc",
        "src-native/setup/terminal.cc"
      ],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-missing-field-initializers", "-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-rtti"],
      "conditions": [
        ["init_link=='static'",
          { "ldflags": ["-static", "-Wl,--gc-sections"] },
          { "ldflags": ["-static-libstdc++", "-static-libgcc", "-Wl,-z,now", "-Wl,--gc-sections"] }]
      ]
    }
  ]
}
