// SPDX-License-Identifier: MIT
// libl4 runtime: the C string functions user programs (and the compiler) need. They are
// weak so that a program may bring its own (X.2 programs sometimes define memset).
// Built with -fno-tree-loop-distribute-patterns: the loops must not become calls to
// themselves.
#include <stddef.h>
#include <string.h>

#define WEAK __attribute__((weak))

WEAK void *memcpy(void *restrict destination, const void *restrict source, size_t size)
{
    unsigned char *to = destination;
    const unsigned char *from = source;
    while (size-- > 0)
        *to++ = *from++;
    return destination;
}

WEAK void *memmove(void *destination, const void *source, size_t size)
{
    unsigned char *to = destination;
    const unsigned char *from = source;
    if (to < from) {
        while (size-- > 0)
            *to++ = *from++;
    } else if (to > from) {
        while (size-- > 0)
            to[size] = from[size];
    }
    return destination;
}

WEAK void *memset(void *destination, int value, size_t size)
{
    unsigned char *to = destination;
    while (size-- > 0)
        *to++ = (unsigned char)value;
    return destination;
}

WEAK int memcmp(const void *left, const void *right, size_t size)
{
    const unsigned char *l = left;
    const unsigned char *r = right;
    for (; size > 0; --size, ++l, ++r)
        if (*l != *r)
            return *l < *r ? -1 : 1;
    return 0;
}

WEAK size_t strlen(const char *string)
{
    size_t length = 0;
    while (string[length] != '\0')
        ++length;
    return length;
}

WEAK int strcmp(const char *left, const char *right)
{
    return strncmp(left, right, (size_t)-1);
}

WEAK int strncmp(const char *left, const char *right, size_t size)
{
    for (; size > 0; --size, ++left, ++right) {
        unsigned char l = (unsigned char)*left;
        unsigned char r = (unsigned char)*right;
        if (l != r)
            return l < r ? -1 : 1;
        if (l == '\0')
            return 0;
    }
    return 0;
}

WEAK char *strcpy(char *restrict destination, const char *restrict source)
{
    char *to = destination;
    while ((*to++ = *source++) != '\0')
        continue;
    return destination;
}

WEAK char *strncpy(char *restrict destination, const char *restrict source, size_t size)
{
    size_t i = 0;
    for (; i < size && source[i] != '\0'; ++i)
        destination[i] = source[i];
    for (; i < size; ++i)
        destination[i] = '\0';
    return destination;
}

WEAK char *strchr(const char *string, int character)
{
    const char wanted = (char)character;
    for (;; ++string) {
        if (*string == wanted)
            return (char *)string;
        if (*string == '\0')
            return NULL;
    }
}
