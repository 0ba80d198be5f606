// SPDX-License-Identifier: MIT
// libl4: console input and output of the user runtime (X.2's l4io), over the kernel
// debugger interface. Formatting is the kernel's formatter: %% %c %s %d %i %u %x %X %o %p,
// flags - 0 + space #, width and precision (also '*'), lengths hh h l ll z t j; no floating
// point. getc waits for the next character typed on the kernel console (L4_KDB_ReadChar_Blocked).
#ifndef L4IO_H
#define L4IO_H

#include <stdarg.h>
#include <l4/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

// putc and getc are X.2's, not C's (no FILE): tell GCC they are not its built-ins.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wbuiltin-declaration-mismatch"
int vsnprintf(char *str, L4_Size_t size, const char *fmt, va_list ap);
int snprintf(char *str, L4_Size_t size, const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...);
int puts(const char *s);
int putchar(int c);
void putc(int c);
int getc(void);
#pragma GCC diagnostic pop

#if defined(__cplusplus)
}
#endif

#endif
