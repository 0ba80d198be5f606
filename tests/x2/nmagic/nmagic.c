/* SPDX-License-Identifier: MIT */
/* An X.2 root task linked as X.2 build systems link theirs (ld -N: one writable segment
 * whose file offset is not page-aligned, text, data and bss sharing pages), started by its
 * own crt0 through __L4_Init. It checks that its data arrived where the linker put it and
 * that __L4_Init ran its constructors, then stops the machine with the result. */
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/thread.h>
#include <l4io.h>

/* Initialised data right after the text, on the text's last page: copied from a file
 * offset that disagrees with its address within a page. */
static volatile L4_Word_t pattern[256] = {[0] = 0x0123456789abcdefUL, [17] = 0x1717, [255] = 0xfedcba9876543210UL};
static const char greeting[] = "read-only data in the same segment";
static volatile L4_Word_t zeroed[300];
static volatile int constructed;

__attribute__((constructor)) static void construct(void) { constructed = 1; }

int main(void);

int main(void)
{
    int failures = 0;
    L4_Word_t version, flags, id;
    void *kip = L4_KernelInterface(&version, &flags, &id);
    printf("nmagic: data at %p, bss at %p\n", (void *)pattern, (void *)zeroed);
    if (pattern[0] != 0x0123456789abcdefUL || pattern[17] != 0x1717 || pattern[255] != 0xfedcba9876543210UL ||
        pattern[1] != 0) {
        printf("nmagic: FAILED: initialised data is wrong (%#lx %#lx %#lx)\n", pattern[0], pattern[17], pattern[255]);
        ++failures;
    }
    for (unsigned i = 0; i < sizeof zeroed / sizeof zeroed[0]; ++i)
        if (zeroed[i] != 0) {
            printf("nmagic: FAILED: bss word %u is %#lx\n", i, zeroed[i]);
            ++failures;
            break;
        }
    pattern[3] = 33; /* the segment is writable */
    zeroed[299] = pattern[3];
    if (zeroed[299] != 33 || greeting[0] != 'r') {
        printf("nmagic: FAILED: cannot write the segment\n");
        ++failures;
    }
    if (!constructed) {
        printf("nmagic: FAILED: __L4_Init did not run the constructors\n");
        ++failures;
    }
    printf("nmagic: KIP at %p (version %#lx), I am %#lx\n", kip, version, L4_Myself().raw);
    printf("nmagic: %s\n", failures == 0 ? "all checks passed" : "FAILED");
    L4_KDB_Exit(failures == 0 ? 0 : 1);
    return failures;
}
