// SPDX-License-Identifier: MIT
// libl4 runtime: the C string functions user programs (and the compiler) need. They are
// weak so that a program may bring its own (X.2 programs sometimes define memset).
// Built with -fno-tree-loop-distribute-patterns: the loops must not become calls to
// themselves.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WEAK __attribute__((weak))

// Eight bytes at a time where the length allows (a page is 512 stores, not 4096): the Linux
// personality zeroes and copies whole pages in its fault paths. Loads of source words may be
// unaligned (x86 allows it at the same cost in the common case); stores are aligned.
typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_word;
typedef uint64_t __attribute__((may_alias)) aligned_word;

static void copy_forward(unsigned char *to, const unsigned char *from, size_t size)
{
    while (size > 0 && ((uintptr_t)to & 7) != 0) {
        *to++ = *from++;
        --size;
    }
    for (; size >= 32; size -= 32, to += 32, from += 32) {
        aligned_word *words = (aligned_word *)to;
        const unaligned_word *source = (const unaligned_word *)from;
        words[0] = source[0];
        words[1] = source[1];
        words[2] = source[2];
        words[3] = source[3];
    }
    for (; size >= 8; size -= 8, to += 8, from += 8)
        *(aligned_word *)to = *(const unaligned_word *)from;
    while (size-- > 0)
        *to++ = *from++;
}

WEAK void *memcpy(void *restrict destination, const void *restrict source, size_t size)
{
    copy_forward(destination, source, size);
    return destination;
}

WEAK void *memmove(void *destination, const void *source, size_t size)
{
    unsigned char *to = destination;
    const unsigned char *from = source;
    if (to < from || to >= from + size) {
        copy_forward(to, from, size);
    } else if (to > from) {
        while (size-- > 0)
            to[size] = from[size];
    }
    return destination;
}

WEAK void *memset(void *destination, int value, size_t size)
{
    unsigned char *to = destination;
    unsigned char byte = (unsigned char)value;
    while (size > 0 && ((uintptr_t)to & 7) != 0) {
        *to++ = byte;
        --size;
    }
    uint64_t word = byte * UINT64_C(0x0101010101010101);
    for (; size >= 32; size -= 32, to += 32) {
        aligned_word *words = (aligned_word *)to;
        words[0] = word;
        words[1] = word;
        words[2] = word;
        words[3] = word;
    }
    for (; size >= 8; size -= 8, to += 8)
        *(aligned_word *)to = word;
    while (size-- > 0)
        *to++ = byte;
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
