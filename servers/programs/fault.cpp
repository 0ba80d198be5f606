// SPDX-License-Identifier: MIT
// A task that faults on purpose: "fault" reads address 0 (a page fault root cannot
// serve), "fault io" touches a port it was not given (#GP, an exception IPC to root).
// Root must report it and end the task; nothing else may notice.
#include <l4/types.h>
#include <l4io.h>

#include "task.hpp"

int main()
{
    const char *args = task::args();
    printf("fault: about to %s\n", args[0] == 'i' ? "read port 0x60" : "read address 0");
    if (args[0] == 'i') {
        unsigned char value;
        __asm__ __volatile__("inb $0x60, %0" : "=a"(value));
        return value;
    }
    volatile L4_Word_t address = 0;  // hidden from the compiler, which rejects a plain null read
    return *reinterpret_cast<volatile int *>(address);
}
