// SPDX-License-Identifier: MIT
// libl4, Tern extension: the kernel console's log, the last 16 KiB the kernel printed (its own
// lines and what tasks wrote through the kernel debug console), as dmesg shows it.
#ifndef L4_TERN_KERNEL_LOG_H
#define L4_TERN_KERNEL_LOG_H

#include <l4/types.h>

// Copies the log's bytes from position on into out (at most size bytes, from the oldest held
// if position is older) and returns how many; *total is the bytes ever printed (the position
// to read from next, once everything was read), *first the oldest position held. If the log
// overwrites the bytes being read meanwhile, the copy stops short there (read again from
// *first).
L4_INLINE L4_Word_t tern_kernel_log(L4_Word_t position, char *out, L4_Word_t size, L4_Word_t *total,
                                    L4_Word_t *first)
{
    L4_Word_t copied = 0, bytes = 0;
    __tern_syscall_kernel_log(__tern_entry(TERN_KIP_LINK_KERNEL_LOG), position, &bytes, total, first);
    if (position < *first)
        position = *first;
    while (copied < size && position + copied < *total) {
        if (copied % 8 == 0 && copied != 0) {
            __tern_syscall_kernel_log(__tern_entry(TERN_KIP_LINK_KERNEL_LOG), position + copied, &bytes, total,
                                      first);
            if (*first > position + copied)
                break;  // overwritten while read: these bytes would be others
        }
        out[copied] = __L4_CAST(char, bytes >> (8 * (copied % 8)));
        ++copied;
    }
    return copied;
}

#endif
