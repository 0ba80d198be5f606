// SPDX-License-Identifier: MIT
// The runtime of a task the root task starts (servers, the shell, programs it runs):
// its arguments, its exit, and console output through the console server. Linked whole
// into each such program (servers/lib/meson.build): it replaces libl4's printf family,
// which writes to the kernel debug console, and libl4's ending of main.
#ifndef TERN_TASK_HPP
#define TERN_TASK_HPP

#include <l4/types.h>

namespace task {

// The arguments the root task started this task with ("" when none).
const char *args();

// Ends the task: the root task deletes it and tells whoever ran it.
[[noreturn]] void exit(int status);

// The console server, looked up (and waited for) on first use.
L4_ThreadId_t console();

// Writes bytes to the console. Output goes to the console server, or to the writer when
// one is set (the console server itself writes directly).
void write(const char *bytes, unsigned long n);
using Writer = void (*)(const char *bytes, unsigned long n);
void set_writer(Writer writer);

// The first thing a further thread of the task does: name the root task its exception
// handler (X.2 keeps that in each thread's own UTCB; the main thread's is set before main).
void start_thread();

}  // namespace task

#endif
