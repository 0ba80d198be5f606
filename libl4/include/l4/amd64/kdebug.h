// SPDX-License-Identifier: MIT
// libl4: kernel debugger interface. Output goes through the kdb_output system call
// (ArchSyscall0 link), L4_KDB_Enter through kdb_enter (ArchSyscall1 link), which prints the
// message and, without a kernel debugger, returns.
//
// Tern extension: L4_KDB_Exit(status) stops the machine (kdb_exit, ArchSyscall2 link) with
// success for status 0, failure otherwise; privileged tasks only (tests under emulators).
//
// Debugger input comes from the kernel's console (kdb_input, ArchSyscall3 link):
// L4_KDB_ReadChar returns the next character typed, or 0 when none is waiting;
// L4_KDB_ReadChar_Blocked yields the processor until one arrives. L4_KDB_ClearPage,
// L4_KDB_ToggleBreakin and L4_KDB_SetThreadName do nothing.
#ifndef L4_AMD64_KDEBUG_H
#define L4_AMD64_KDEBUG_H

#include <l4/types.h>
#include <l4/amd64/syscalls.h>

L4_INLINE void __L4_KDB_Enter(const char *message)
{
    __tern_syscall_kdb_enter(__tern_entry(TERN_KIP_LINK_ARCH1), __L4_RCAST(L4_Word_t, message));
}

// As in X.2 the argument must be a string literal (or nothing; C++98 has no variadic macros
// and needs one).
#if defined(__cplusplus) && __cplusplus < 201103L
# define L4_KDB_Enter(message) __L4_KDB_Enter("" message)
#else
# define L4_KDB_Enter(...) __L4_KDB_Enter("" __VA_ARGS__)
#endif

L4_INLINE void L4_KDB_PrintChar(char c)
{
    __tern_syscall_kdb_output(__tern_entry(TERN_KIP_LINK_ARCH0), __L4_CAST(L4_Word8_t, c));
}

L4_INLINE void L4_KDB_PrintString(const char *s)
{
    while (*s != '\0')
        L4_KDB_PrintChar(*s++);
}

L4_INLINE void L4_KDB_Exit(L4_Word_t status)
{
    __tern_syscall_kdb_exit(__tern_entry(TERN_KIP_LINK_ARCH2), status);
}

L4_INLINE void L4_KDB_ClearPage(void)
{
}

L4_INLINE void L4_KDB_ToggleBreakin(void)
{
}

L4_INLINE char L4_KDB_ReadChar(void)
{
    L4_Word_t c;
    __tern_syscall_kdb_input(__tern_entry(TERN_KIP_LINK_ARCH3), &c);
    return c == ~0UL ? 0 : __L4_CAST(char, c);
}

L4_INLINE char L4_KDB_ReadChar_Blocked(void)
{
    L4_Word_t c;
    for (;;) {
        __tern_syscall_kdb_input(__tern_entry(TERN_KIP_LINK_ARCH3), &c);
        if (c != ~0UL)
            return __L4_CAST(char, c);
        __tern_syscall_thread_switch(__tern_entry(TERN_KIP_LINK_THREAD_SWITCH), 0);
    }
}

L4_INLINE void L4_KDB_SetThreadName(L4_ThreadId_t thread, const char *name)
{
    (void)thread;
    (void)name;
}

#endif
