// SPDX-License-Identifier: MIT
// libl4 runtime: what runs between _start and main, and after main. There is no process
// exit yet: when main returns the thread reports it to the kernel debugger and sleeps for
// ever. Should a sleep end (a kernel that refuses a receive from oneself), the thread
// halts itself instead of spinning. A program may replace that ending: __tern_exit is weak
// (Tern's tasks report their exit status to the root task, servers/lib/task.cpp).
#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/thread.h>

// Read by every system call (see <l4/amd64/syscalls.h>); 0 until known.
L4_Word_t __tern_kip;

int main(int argc, char **argv, char **envp);
void __tern_start(void) __attribute__((noreturn, used));
void __tern_exit(int status) __attribute__((noreturn));

typedef void (*Initializer)(void);
extern const Initializer __init_array_start[];
extern const Initializer __init_array_end[];

// Pistachio's libl4 initialiser, which the start-up files of X.2 programs (their own crt0)
// call before main. Here it does what _start does before main: it fetches the KIP address
// and runs the static constructors. Those run once, however often it is called.
void __L4_Init(void);

void __tern_resolve_links(void);

void __L4_Init(void)
{
    static int initialised;
    L4_Word_t version, flags, id;
    const Initializer *initializer;

    __tern_kip = (L4_Word_t)L4_KernelInterface(&version, &flags, &id);
    __tern_resolve_links();
    if (initialised)
        return;
    initialised = 1;
    for (initializer = __init_array_start; initializer != __init_array_end; ++initializer)
        (*initializer)();
}

void __tern_start(void)
{
    static char *no_arguments[1] = {0};

    __L4_Init();
    __tern_exit(main(0, no_arguments, no_arguments));
}

__attribute__((weak)) void __tern_exit(int status)
{
    (void)status;
    L4_KDB_Enter("main returned");
    for (;;) {
        L4_Sleep(L4_Never);
        (void)L4_Stop(L4_MyLocalId());
    }
}
