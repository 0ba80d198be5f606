// SPDX-License-Identifier: MIT
// Where the kernel console's bytes go on this architecture: COM1 and the debug port 0xe9
// (QEMU -debugcon, Bochs port_e9_hack). Both are polled, so panics can always print.
#pragma once

#include <stddef.h>

class Console_output {
public:
    static void init();
    static void write(const char *text, size_t length);
    static void drain();
    // Debugger input: the next byte typed on COM1, if any (polled; the kernel takes no
    // serial interrupts, a console server owns the port's interrupts later).
    static bool try_read(char &c);
};
