// SPDX-License-Identifier: MIT
// A task to run from the shell: greets, shows its arguments and where it runs, finds the
// console by name, and exits with status 0 (or the number given as "exit=N").
#include <l4/thread.h>
#include <l4/tern/names.hpp>
#include <l4io.h>
#include <string.h>

#include "task.hpp"

int main()
{
    const char *args = task::args();
    L4_ThreadId_t console = L4_nilthread;
    tern::Status status = tern::names::lookup("console", 0, &console);
    printf("hello from thread %lx, arguments \"%s\"\n", L4_Myself().raw, args);
    printf("hello: the name service says console is %lx (status %lu)\n", console.raw, tern::raw(status));
    int exit_status = 0;
    for (const char *a = args; *a != '\0'; ++a)
        if (strncmp(a, "exit=", 5) == 0)
            for (a += 5, exit_status = 0; *a >= '0' && *a <= '9'; ++a)
                exit_status = exit_status * 10 + (*a - '0');
    return exit_status;
}
