/* SPDX-License-Identifier: MIT */
/* The task runtime (task.h). Every task's first act, before main, names the root task its
 * exception handler: X.2 keeps that in the thread's own UTCB, so only the task can set
 * it, and without one a faulting thread would just halt unseen. */
#include <l4/kdebug.h>
#include <l4/thread.h>
#include <l4/tern/console.h>
#include <l4/tern/names.h>
#include <l4/tern/system.h>
#include <l4io.h>
#include <stdarg.h>

#include "task.h"

static char arguments[TERN_ARGS_WORDS * 8];
static int have_arguments;
static L4_ThreadId_t console;
static task_writer_t writer;

__attribute__((constructor)) static void name_exception_handler(void)
{
    L4_Set_ExceptionHandler(tern_root_thread());
}

const char *task_args(void)
{
    if (!have_arguments) {
        tern_load(TERN_SYSTEM_ARGS, 0, 0);
        L4_MsgTag_t tag = L4_Call(tern_root_thread());
        L4_Word_t words[TERN_ARGS_WORDS] = {0};
        unsigned count = (unsigned)L4_UntypedWords(tag);
        if (tern_status(tag) == TERN_OK && count <= TERN_ARGS_WORDS) {
            for (unsigned i = 0; i < count; ++i)
                L4_StoreMR((int)i + 1, &words[i]);
            tern_unpack_string(words, TERN_ARGS_WORDS, arguments, sizeof arguments);
        }
        have_arguments = 1;
    }
    return arguments;
}

void task_exit(int status)
{
    L4_Word_t word = (L4_Word_t)(long)status;
    for (;;) {
        tern_load(TERN_SYSTEM_EXIT, 1, &word);
        L4_Call(tern_root_thread()); /* no answer: the root task deletes this thread */
    }
}

void __tern_exit(int status) { task_exit(status); }

L4_ThreadId_t task_console(void)
{
    if (L4_IsNilThread(console) && tern_names_lookup("console", TERN_NAMES_WAIT, &console) != TERN_OK)
        console = L4_nilthread;
    return console;
}

void task_set_writer(task_writer_t new_writer) { writer = new_writer; }

void task_write(const char *bytes, unsigned long n)
{
    if (writer != 0) {
        writer(bytes, n);
        return;
    }
    L4_ThreadId_t to = task_console();
    while (n > 0) {
        unsigned chunk = n > TERN_CONSOLE_MAX_BYTES ? TERN_CONSOLE_MAX_BYTES : (unsigned)n;
        if (L4_IsNilThread(to) || tern_console_write(to, bytes, chunk) != TERN_OK)
            for (unsigned i = 0; i < chunk; ++i) /* no console server: the kernel's debug console */
                L4_KDB_PrintChar(bytes[i]);
        bytes += chunk;
        n -= chunk;
    }
}

/* ---- libl4's l4io functions, over task_write ---- */

int vprintf(const char *fmt, va_list ap)
{
    char buffer[TERN_CONSOLE_MAX_BYTES];
    va_list again;
    va_copy(again, ap);
    int length = vsnprintf(buffer, sizeof buffer, fmt, ap);
    if (length >= 0 && (unsigned long)length < sizeof buffer) {
        task_write(buffer, (unsigned long)length);
    } else if (length > 0) {
        /* Longer than one message: format in pieces of the same output. */
        static char big[4096];
        int big_length = vsnprintf(big, sizeof big, fmt, again);
        task_write(big, (unsigned long)(big_length < (int)sizeof big ? big_length : (int)sizeof big - 1));
    }
    va_end(again);
    return length;
}

int printf(const char *fmt, ...)
{
    va_list arguments_list;
    va_start(arguments_list, fmt);
    int n = vprintf(fmt, arguments_list);
    va_end(arguments_list);
    return n;
}

int puts(const char *s)
{
    unsigned long n = 0;
    while (s[n] != '\0')
        ++n;
    task_write(s, n);
    task_write("\n", 1);
    return 0;
}

int putchar(int c)
{
    char byte = (char)c;
    task_write(&byte, 1);
    return (unsigned char)c;
}

void putc(int c) { (void)putchar(c); }

int getc(void)
{
    char byte = 0;
    while (tern_console_read(task_console(), &byte, 1) != 1)
        continue;
    return (unsigned char)byte;
}
