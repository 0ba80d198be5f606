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
//   TERN_CONSOLE_PASS_INTERRUPTS  MR1 1 on, 0 off          - (MR1 above 1: TERN_ERROR_MALFORMED)
//   TERN_CONSOLE_WRITE_OUTPUT     as WRITE                 as WRITE
//   TERN_CONSOLE_LOG              MR1 position             MR1 total, MR2 first, MR3 n <= 448,
//                                                          MR4.. n bytes from position on
//
// The console keeps a log of what was written with WRITE, the last TERN_CONSOLE_LOG_BYTES
// bytes (the servers' and programs' messages, which dmesg shows). WRITE_OUTPUT writes the
// same way but is not logged: a program's output on its terminal (the Linux processes').
// LOG reads it from position on (from the oldest held, first, if position is older); total
// is the bytes ever logged.
//
// n is 1 to TERN_CONSOLE_MAX_BYTES. The console does not echo; line editing is the
// client's. Ctrl-C (byte 3) goes to the client waiting in WAIT_INTERRUPT if there is one
// (and is then not read by anyone), otherwise it is read like any other byte. With
// PASS_INTERRUPTS on (the native shell sets it while a Linux terminal owns the console),
// Ctrl-C is always read like any other byte and the interrupt waiters keep waiting. Readers and
// the interrupt waiters are answered in order of arrival. A thread has one queued request
// (a new one replaces it); when a queue is full its oldest entry gets TERN_ERROR_BUSY.
#ifndef L4_TERN_CONSOLE_H
#define L4_TERN_CONSOLE_H

#include <l4/tern/protocol.h>

#define TERN_CONSOLE_WRITE 0x7e41UL
#define TERN_CONSOLE_READ 0x7e42UL
#define TERN_CONSOLE_WAIT_INTERRUPT 0x7e43UL
#define TERN_CONSOLE_INFO 0x7e44UL
#define TERN_CONSOLE_PASS_INTERRUPTS 0x7e45UL
#define TERN_CONSOLE_WRITE_OUTPUT 0x7e46UL
#define TERN_CONSOLE_LOG 0x7e47UL
#define TERN_CONSOLE_LOG_BYTES 16384
#define TERN_CONSOLE_LOG_READ_MAX 448 // 56 words, beside total, first and n

#define TERN_CONSOLE_MAX_BYTES 480 // 60 words
#define TERN_CONSOLE_CTRL_C 3

// TERN_CONSOLE_INFO modes.
#define TERN_CONSOLE_UART_IRQ 0    // the UART's ports, receive interrupt-driven
#define TERN_CONSOLE_UART_POLLED 1 // the UART's ports, polled: the interrupt could not be had
#define TERN_CONSOLE_KDB 2         // no ports: the kernel debug console, polled

#endif
