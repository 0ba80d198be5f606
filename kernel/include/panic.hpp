// SPDX-License-Identifier: MIT
// Kernel bugs and unrecoverable boot failures end here: the message goes to the console
// and the machine stops with a failure status. Never used for anything a task can cause.
#pragma once

[[noreturn]] void panic(const char *format, ...) __attribute__((format(printf, 1, 2)));
