/* SPDX-License-Identifier: MIT */
/* What lwIP takes from <stdlib.h> on Tern's target, where the servers have no C library
 * (netif.c's atoi); defined in ../target.c. Only the target build sees this directory. */
#ifndef TERN_LWIP_STDLIB_H
#define TERN_LWIP_STDLIB_H

#include <stddef.h>

int atoi(const char *text);

#endif
