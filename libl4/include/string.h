// SPDX-License-Identifier: MIT
// libl4: the C string functions of the user runtime (runtime/string.c), for C and C++
// programs alike. User programs are freestanding: this is the only string.h they see.
#ifndef L4_STRING_H
#define L4_STRING_H

#include <stddef.h>

#if defined(__cplusplus)
extern "C" {
#endif

void *memcpy(void *__restrict destination, const void *__restrict source, size_t size);
void *memmove(void *destination, const void *source, size_t size);
void *memset(void *destination, int value, size_t size);
int memcmp(const void *left, const void *right, size_t size);
size_t strlen(const char *string);
int strcmp(const char *left, const char *right);
int strncmp(const char *left, const char *right, size_t size);
char *strcpy(char *__restrict destination, const char *__restrict source);
// As in C: copies at most size characters and pads with NULs up to size.
char *strncpy(char *__restrict destination, const char *__restrict source, size_t size);
char *strchr(const char *string, int character);

#if defined(__cplusplus)
}
#endif

#endif
