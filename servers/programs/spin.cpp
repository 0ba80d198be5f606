// SPDX-License-Identifier: MIT
// A task that never ends on its own: it prints a line every half second until Ctrl-C in
// the shell ends it (the test of interrupting a run).
#include <l4/ipc.h>
#include <l4io.h>

#include "task.hpp"

int main()
{
    for (unsigned long round = 1;; ++round) {
        printf("spin: round %lu\n", round);
        L4_Sleep(L4_TimePeriod(500000));
    }
}
