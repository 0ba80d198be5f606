// SPDX-License-Identifier: MIT
// Console throughput: writes N KiB (argument kib=N, default 64) through the console
// server in messages of TERN_CONSOLE_MAX_BYTES and reports bytes per second, timed with
// the kernel's SystemClock (microseconds, from the TSC the kernel calibrated at boot).
// Under QEMU's TCG that is host time, so the figure includes the emulation of every UART
// access. The bytes are 79-character lines, each sent as its line end too.
#include <l4/ipc.h>
#include <l4/tern/console.hpp>
#include <l4io.h>
#include <string.h>

#include "task.hpp"

int main()
{
    const char *args = task::args();
    unsigned long kib = 64;
    if (strncmp(args, "kib=", 4) == 0) {
        kib = 0;
        for (const char *a = args + 4; *a >= '0' && *a <= '9'; ++a)
            kib = kib * 10 + static_cast<unsigned long>(*a - '0');
    }
    char chunk[TERN_CONSOLE_MAX_BYTES];
    for (unsigned i = 0; i < sizeof chunk; ++i)
        chunk[i] = i % 80 == 79 ? '\n' : static_cast<char>('!' + i % 80 % 90);
    L4_ThreadId_t console = task::console();
    unsigned long total = kib * 1024, sent = 0;
    L4_Word_t start = static_cast<L4_Word_t>(L4_SystemClock().raw);
    while (sent < total) {
        unsigned n = total - sent < sizeof chunk ? static_cast<unsigned>(total - sent) : static_cast<unsigned>(sizeof chunk);
        if (tern::console::write(console, chunk, n) != tern::Status::ok) {
            printf("\nconbench: write failed after %lu bytes\n", sent);
            return 1;
        }
        sent += n;
    }
    L4_Word_t elapsed = static_cast<L4_Word_t>(L4_SystemClock().raw) - start;
    printf("\nBENCH console throughput, %lu KiB in %lu us: %lu bytes/s\n", kib, elapsed,
           elapsed == 0 ? 0 : sent * 1000000 / elapsed);
    return 0;
}
