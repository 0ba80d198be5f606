// SPDX-License-Identifier: MIT
// The task runtime (task.hpp). Every task's first act, before main, names the root task its
// exception handler: X.2 keeps that in the thread's own UTCB, so only the task can set
// it, and without one a faulting thread would just halt unseen.
#include <l4/kdebug.h>
#include <l4/thread.h>
#include <l4/tern/console.hpp>
#include <l4/tern/names.hpp>
#include <l4/tern/system.hpp>
#include <l4io.h>
#include <stdarg.h>
#include <string.h>

#include "task.hpp"

namespace task {

namespace {

char arguments[TERN_ARGS_WORDS * 8];
bool have_arguments;
L4_ThreadId_t console_thread;
Writer writer;

__attribute__((constructor)) void name_exception_handler()
{
    start_thread();
}

}  // namespace

void start_thread()
{
    L4_Set_ExceptionHandler(tern_root_thread());
}

const char *args()
{
    if (!have_arguments) {
        tern::Message reply;
        if (tern::system::call(TERN_SYSTEM_ARGS, &reply) == tern::Status::ok && reply.untyped() <= TERN_ARGS_WORDS)
            reply.string(0, reply.untyped(), arguments, sizeof arguments);
        have_arguments = true;
    }
    return arguments;
}

void exit(int status)
{
    for (;;)  // no answer: the root task deletes this thread
        tern::system::call(TERN_SYSTEM_EXIT, static_cast<L4_Word_t>(static_cast<long>(status)));
}

L4_ThreadId_t console()
{
    if (L4_IsNilThread(console_thread) &&
        tern::names::lookup("console", TERN_NAMES_WAIT, &console_thread) != tern::Status::ok)
        console_thread = L4_nilthread;
    return console_thread;
}

void set_writer(Writer new_writer)
{
    writer = new_writer;
}

void write(const char *bytes, unsigned long n)
{
    if (writer != nullptr) {
        writer(bytes, n);
        return;
    }
    L4_ThreadId_t to = console();
    while (n > 0) {
        unsigned chunk = n > TERN_CONSOLE_MAX_BYTES ? TERN_CONSOLE_MAX_BYTES : static_cast<unsigned>(n);
        if (L4_IsNilThread(to) || tern::console::write(to, bytes, chunk) != tern::Status::ok)
            for (unsigned i = 0; i < chunk; ++i)  // no console server: the kernel's debug console
                L4_KDB_PrintChar(bytes[i]);
        bytes += chunk;
        n -= chunk;
    }
}

}  // namespace task

// ---- libl4's ending of main and its l4io functions, over task::write ----

extern "C" {

void __tern_exit(int status)
{
    task::exit(status);
}

int vprintf(const char *fmt, va_list ap)
{
    char buffer[TERN_CONSOLE_MAX_BYTES];
    va_list again;
    va_copy(again, ap);
    int length = vsnprintf(buffer, sizeof buffer, fmt, ap);
    if (length >= 0 && static_cast<unsigned long>(length) < sizeof buffer) {
        task::write(buffer, static_cast<unsigned long>(length));
    } else if (length > 0) {
        // Longer than one message: format in pieces of the same output.
        static char big[4096];
        int big_length = vsnprintf(big, sizeof big, fmt, again);
        int shown = big_length < static_cast<int>(sizeof big) ? big_length : static_cast<int>(sizeof big) - 1;
        task::write(big, static_cast<unsigned long>(shown));
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
    task::write(s, strlen(s));
    task::write("\n", 1);
    return 0;
}

int putchar(int c)
{
    char byte = static_cast<char>(c);
    task::write(&byte, 1);
    return static_cast<unsigned char>(c);
}

void putc(int c)
{
    (void)putchar(c);
}

int getc()
{
    char byte = 0;
    while (tern::console::read(task::console(), &byte, 1) != 1)
        continue;
    return static_cast<unsigned char>(byte);
}

}  // extern "C"
