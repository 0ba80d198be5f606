/* SPDX-License-Identifier: MIT */
/* The runtime of a task the root task starts (servers, the shell, programs it runs):
 * its arguments, its exit, and console output through the console server. Linked whole
 * into each such program (servers/lib/meson.build): it replaces libl4's printf family,
 * which writes to the kernel debug console, and libl4's ending of main. */
#ifndef TERN_TASK_H
#define TERN_TASK_H

#include <l4/types.h>

/* The arguments the root task started this task with ("" when none). */
const char *task_args(void);

/* Ends the task: the root task deletes it and tells whoever ran it. */
void task_exit(int status) __attribute__((noreturn));

/* The console server, looked up (and waited for) on first use. */
L4_ThreadId_t task_console(void);

/* Writes bytes to the console. Output goes to the console server, or to writer when one
 * is set (the console server itself writes directly). */
void task_write(const char *bytes, unsigned long n);
typedef void (*task_writer_t)(const char *bytes, unsigned long n);
void task_set_writer(task_writer_t writer);

#endif
