/* SPDX-License-Identifier: MIT */
/* The C library functions lwIP needs on Tern's target (freestanding/stdlib.h). */
#include <stdlib.h>

int atoi(const char *text)
{
    int sign = 1, value = 0;
    while (*text == ' ' || (*text >= '\t' && *text <= '\r'))
        ++text;
    if (*text == '-' || *text == '+')
        sign = *text++ == '-' ? -1 : 1;
    while (*text >= '0' && *text <= '9')
        value = value * 10 + (*text++ - '0');
    return sign * value;
}
