// SPDX-License-Identifier: MIT
// What dmesg shows: syslog(2) (klogctl) over the kernel console's log (the kernel_log system
// call) and the console server's log of what the servers and programs wrote.
#include <l4/tern/console.hpp>
#include <l4/tern/kernel_log.h>
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"
#include "task.hpp"

using namespace linux_abi;

// The log dmesg reads: the kernel console's lines (the kernel_log system call) and then the
// console server's (what servers and programs wrote with WRITE), each "<6>" first, as Linux's
// ring holds them; only what came after the last clear.
size_t Linux_server::log_text(char *out, size_t size)
{
    static char raw[TERN_CONSOLE_LOG_BYTES];
    size_t used = 0;
    bool line_start = true;
    auto add = [&](const char *bytes, size_t n) {
        for (size_t i = 0; i < n; ++i) {
            if (used + 4 >= size) {  // full: the oldest lines go, as from Linux's ring
                size_t cut = size / 4;
                while (cut < used && out[cut - 1] != '\n')
                    ++cut;
                memmove(out, out + cut, used - cut);
                used -= cut;
            }
            if (line_start) {
                memcpy(out + used, "<6>", 3);
                used += 3;
            }
            out[used++] = bytes[i];
            line_start = bytes[i] == '\n';
        }
    };
    L4_Word_t total = 0, first = 0;
    L4_Word_t n = tern_kernel_log(kernel_log_cleared_, raw, sizeof raw, &total, &first);
    add(raw, n);
    if (!line_start)
        add("\n", 1);
    L4_ThreadId_t console = task::console();
    L4_Word_t end = 0;  // what was logged when the reading began: a busy writer cannot keep it going
    for (L4_Word_t position = console_log_cleared_; !L4_IsNilThread(console) && (end == 0 || position < end);) {
        unsigned got = tern::console::read_log(console, position, raw, TERN_CONSOLE_LOG_READ_MAX, total, first);
        if (got == 0)
            break;
        if (end == 0)
            end = total;
        position = position < first ? first : position;
        if (position + got > end)
            got = static_cast<unsigned>(end - position);
        add(raw, got);
        position += got;
    }
    return used;
}

// syslog(2), Linux's klogctl: the actions dmesg uses (read all, read and clear, clear, the
// sizes); the console's log level and reading as klogd does are accepted and change nothing.
int64_t Linux_server::sys_syslog(Process &process, int64_t action, uint64_t buffer, int64_t length)
{
    constexpr int64_t read_all = 3, read_clear = 4, clear = 5, console_off = 6, console_on = 7, console_level = 8,
                      size_unread = 9, size_buffer = 10;
    static char text[2 * TERN_CONSOLE_LOG_BYTES + 4096];
    switch (action) {
    case 0:  // close
    case 1:  // open
    case console_off:
    case console_on:
        return 0;
    case console_level:
        return length >= 1 && length <= 8 ? 0 : error(Errno::inval);
    case size_buffer:
        return static_cast<int64_t>(sizeof text);
    case size_unread:
        return static_cast<int64_t>(log_text(text, sizeof text));
    case read_all:
    case read_clear:
    case clear: {
        if (action != clear && (length < 0 || (buffer == 0 && length > 0)))
            return error(Errno::inval);
        int64_t copied_bytes = 0;
        if (action != clear) {
            size_t n = log_text(text, sizeof text);
            size_t want = static_cast<size_t>(length) < n ? static_cast<size_t>(length) : n;
            // The newest bytes, as Linux gives the end of its ring to a short buffer.
            Process_memory::Error copied = process.memory.copy_out(buffer, text + n - want, want);
            if (copied != Process_memory::Error::none)
                return memory_error(copied);
            copied_bytes = static_cast<int64_t>(want);
        }
        if (action != read_all) {
            L4_Word_t total = 0, first = 0, console_total = 0, console_first = 0;
            char byte;
            (void)tern_kernel_log(~0UL, &byte, 0, &total, &first);
            kernel_log_cleared_ = total;
            L4_ThreadId_t console = task::console();
            if (!L4_IsNilThread(console) &&
                tern::console::read_log(console, ~0UL, &byte, 0, console_total, console_first) == 0 &&
                console_total != 0)
                console_log_cleared_ = console_total;
        }
        return copied_bytes;
    }
    default:
        return error(Errno::inval);  // 2 (a reader's blocking read, as klogd's) is not served
    }
}
