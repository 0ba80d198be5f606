// SPDX-License-Identifier: MIT
// The memory functions GCC may call even in freestanding code (for struct copies and
// zeroing). Written plainly; the kernel's hot paths do not copy memory in bulk.
#include <stddef.h>
#include <stdint.h>

extern "C" {

void *memcpy(void *destination, const void *source, size_t size)
{
    auto *d = static_cast<uint8_t *>(destination);
    const auto *s = static_cast<const uint8_t *>(source);
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(size) : : "memory");
    return destination;
}

void *memmove(void *destination, const void *source, size_t size)
{
    auto *d = static_cast<uint8_t *>(destination);
    const auto *s = static_cast<const uint8_t *>(source);
    if (d <= s || d >= s + size)
        return memcpy(destination, source, size);
    while (size-- > 0)
        d[size] = s[size];
    return destination;
}

void *memset(void *destination, int value, size_t size)
{
    auto *d = static_cast<uint8_t *>(destination);
    asm volatile("rep stosb" : "+D"(d), "+c"(size) : "a"(value) : "memory");
    return destination;
}

int memcmp(const void *left, const void *right, size_t size)
{
    const auto *l = static_cast<const uint8_t *>(left);
    const auto *r = static_cast<const uint8_t *>(right);
    for (size_t i = 0; i < size; ++i)
        if (l[i] != r[i])
            return l[i] < r[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *text)
{
    size_t length = 0;
    while (text[length] != '\0')
        ++length;
    return length;
}

}
