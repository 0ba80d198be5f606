/* SPDX-License-Identifier: MIT */
/* For tools/pistachio.sh with PINGPONG_RDTSC=1 only: pingpong built for Tern takes its
 * portable path, where read_cycles() returns 0 and the "cycles" column says nothing. Given
 * here as rdtsc (what pingpong's own amd64 file uses), that column counts guest
 * instructions under QEMU's -icount, with two decimals, where the microseconds column has
 * ten-instruction steps. Nothing else of pingpong changes. */
#define HAVE_READ_CYCLES
static inline unsigned long long read_cycles(void)
{
    unsigned int low, high;
    __asm__ __volatile__("rdtsc" : "=a"(low), "=d"(high));
    return ((unsigned long long)high << 32) | low;
}
