/* SPDX-License-Identifier: MIT */
/* The console's device: COM1's 16550 UART through its I/O ports, or, when the root task
 * could not give the ports, the kernel's debug console (polled, output through the
 * kernel). The mode is chosen once at start (console.c). */
#ifndef SERIAL_H
#define SERIAL_H

#include <l4/tern/console.h>

#define COM1_BASE 0x3f8
#define COM1_PORTS 8
#define COM1_IRQ 4

extern L4_Word_t serial_mode; /* TERN_CONSOLE_UART_IRQ, _UART_POLLED or _KDB */

/* Prepares the UART for the mode: receive interrupts on or off. */
void serial_init(void);
void serial_put(char c);
/* The next received byte, if one is waiting: 1 and *c, else 0. */
int serial_get(char *c);

#endif
