// SPDX-License-Identifier: MIT
// The X.2 system calls other than Ipc (which lives with the thread): each handler checks
// every argument before it changes anything and reports failures through the UTCB's
// ErrorCode (abi/x86_64.toml [errors]) with result 0.
#pragma once

#include "exception_frame.hpp"

class Thread;

class Syscalls {
public:
    static void dispatch(Thread &caller, Exception_frame &frame);

private:
    [[gnu::noinline]] static void dispatch_other(Thread &caller, Exception_frame &frame);
};
