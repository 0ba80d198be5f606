// SPDX-License-Identifier: MIT
// The entry of every system call: Ipc and Lipc go to the thread (thread-ipc.cpp), the others
// through the table generated from abi/x86_64.toml (syscall_table.hpp) to their handlers
// (Syscall_handlers, syscalls.cpp and thread_control.cpp).
#pragma once

#include "exception_frame.hpp"

class Thread;

class Syscalls {
public:
    static void dispatch(Thread &caller, Exception_frame &frame);

private:
    [[gnu::noinline]] static void dispatch_other(Thread &caller, Exception_frame &frame);
};
