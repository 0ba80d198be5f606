// SPDX-License-Identifier: MIT
// libl4, Tern extension: the console protocol (docs/system.md). The console server owns
// the serial port; clients find it under the name "console".
//
//   request (label)               words in                 reply words (status in the label)
//   TERN_CONSOLE_WRITE            MR1 n, MR2.. n bytes     MR1 bytes written
//   TERN_CONSOLE_READ             MR1 at most n bytes      MR1 n >= 1, MR2.. the bytes; waits
//                                                          until at least one byte arrived
//   TERN_CONSOLE_WAIT_INTERRUPT   -                        - once Ctrl-C is typed
//   TERN_CONSOLE_INFO             -                        MR1 mode, MR2 bytes received,
//                                                          MR3 bytes written, MR4 interrupts,
//                                                          MR5 readers, MR6 interrupt waiters queued
//
// n is 1 to TERN_CONSOLE_MAX_BYTES. The console does not echo; line editing is the
// client's. Ctrl-C (byte 3) goes to the client waiting in WAIT_INTERRUPT if there is one
// (and is then not read by anyone), otherwise it is read like any other byte. Readers and
// the interrupt waiters are answered in order of arrival. A thread has one queued request
// (a new one replaces it); when a queue is full its oldest entry gets TERN_ERROR_BUSY.
#ifndef L4_TERN_CONSOLE_H
#define L4_TERN_CONSOLE_H

#include <l4/tern/protocol.h>

#define TERN_CONSOLE_WRITE 0x7e41UL
#define TERN_CONSOLE_READ 0x7e42UL
#define TERN_CONSOLE_WAIT_INTERRUPT 0x7e43UL
#define TERN_CONSOLE_INFO 0x7e44UL

#define TERN_CONSOLE_MAX_BYTES 480 // 60 words
#define TERN_CONSOLE_CTRL_C 3

// TERN_CONSOLE_INFO modes.
#define TERN_CONSOLE_UART_IRQ 0    // the UART's ports, receive interrupt-driven
#define TERN_CONSOLE_UART_POLLED 1 // the UART's ports, polled: the interrupt could not be had
#define TERN_CONSOLE_KDB 2         // no ports: the kernel debug console, polled

// Writes n bytes (at most TERN_CONSOLE_MAX_BYTES) and returns the status.
L4_INLINE L4_Word_t tern_console_write(L4_ThreadId_t console, const char *bytes, unsigned n)
{
    L4_Word_t words[1 + TERN_CONSOLE_MAX_BYTES / 8];
    if (n == 0 || n > TERN_CONSOLE_MAX_BYTES)
        return TERN_ERROR_MALFORMED;
    words[0] = n;
    for (unsigned w = 0; w < (n + 7) / 8; ++w)
        words[1 + w] = 0;
    for (unsigned i = 0; i < n; ++i)
        words[1 + i / 8] |= __L4_CAST(L4_Word_t, __L4_CAST(unsigned char, bytes[i])) << (8 * (i % 8));
    tern_load(TERN_CONSOLE_WRITE, 1 + (n + 7) / 8, words);
    return tern_status(L4_Call(console));
}

// Reads 1 to capacity bytes (waits for the first); returns how many, 0 on an error.
L4_INLINE unsigned tern_console_read(L4_ThreadId_t console, char *bytes, unsigned capacity)
{
    L4_Word_t max = capacity < TERN_CONSOLE_MAX_BYTES ? capacity : TERN_CONSOLE_MAX_BYTES;
    tern_load(TERN_CONSOLE_READ, 1, &max);
    L4_MsgTag_t tag = L4_Call(console);
    L4_Word_t n = 0;
    if (tern_status(tag) != TERN_OK || L4_UntypedWords(tag) < 1)
        return 0;
    L4_StoreMR(1, &n);
    if (n > max || L4_UntypedWords(tag) < 1 + (n + 7) / 8)
        return 0;
    for (unsigned i = 0; i < n; ++i) {
        L4_Word_t word;
        L4_StoreMR(2 + __L4_CAST(int, i / 8), &word);
        bytes[i] = __L4_CAST(char, word >> (8 * (i % 8)));
    }
    return __L4_CAST(unsigned, n);
}

L4_INLINE L4_Word_t tern_console_wait_interrupt(L4_ThreadId_t console)
{
    tern_load(TERN_CONSOLE_WAIT_INTERRUPT, 0, 0);
    return tern_status(L4_Call(console));
}

#endif
