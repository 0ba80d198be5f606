// SPDX-License-Identifier: MIT
// libl4 runtime: the few symbols C++ code needs from a runtime without a heap or
// exceptions. Destructors of static objects never run (there is no exit), so registering
// them does nothing; reaching a pure virtual function or a delete is a program bug and is
// reported to the kernel debugger. All weak, so that a program may bring its own.
#include <stddef.h>

#include <l4/kdebug.h>

extern "C" {

__attribute__((weak)) void *__dso_handle = &__dso_handle;

__attribute__((weak)) int __cxa_atexit(void (*)(void *), void *, void *)
{
    return 0;
}

__attribute__((weak)) void __cxa_pure_virtual()
{
    for (;;)
        L4_KDB_Enter("pure virtual function called");
}

}  // extern "C"

__attribute__((weak)) void operator delete(void *) noexcept
{
    L4_KDB_Enter("operator delete called (there is no heap)");
}

__attribute__((weak)) void operator delete(void *, size_t) noexcept
{
    L4_KDB_Enter("operator delete called (there is no heap)");
}
