/* SPDX-License-Identifier: MIT */
/* Console throughput: writes N KiB (argument kib=N, default 64) through the console
 * server in messages of TERN_CONSOLE_MAX_BYTES and reports bytes per second, timed with
 * the kernel's SystemClock (microseconds, from the TSC the kernel calibrated at boot).
 * Under QEMU's TCG that is host time, so the figure includes the emulation of every UART
 * access. The bytes are 79-character lines, each sent as its line end too. */
#include <l4/ipc.h>
#include <l4/tern/console.h>
#include <l4io.h>

#include "task.h"

int main(void)
{
    const char *args = task_args();
    unsigned long kib = 64;
    if (args[0] == 'k' && args[1] == 'i' && args[2] == 'b' && args[3] == '=') {
        kib = 0;
        for (const char *a = args + 4; *a >= '0' && *a <= '9'; ++a)
            kib = kib * 10 + (unsigned long)(*a - '0');
    }
    char chunk[TERN_CONSOLE_MAX_BYTES];
    for (unsigned i = 0; i < sizeof chunk; ++i)
        chunk[i] = i % 80 == 79 ? '\n' : (char)('!' + i % 80 % 90);
    L4_ThreadId_t console = task_console();
    unsigned long total = kib * 1024, sent = 0;
    L4_Word_t start = (L4_Word_t)L4_SystemClock().raw;
    while (sent < total) {
        unsigned n = total - sent < sizeof chunk ? (unsigned)(total - sent) : (unsigned)sizeof chunk;
        if (tern_console_write(console, chunk, n) != TERN_OK) {
            printf("\nconbench: write failed after %lu bytes\n", sent);
            return 1;
        }
        sent += n;
    }
    L4_Word_t elapsed = (L4_Word_t)L4_SystemClock().raw - start;
    printf("\nBENCH console throughput, %lu KiB in %lu us: %lu bytes/s\n", kib, elapsed,
           elapsed == 0 ? 0 : sent * 1000000 / elapsed);
    return 0;
}
