// SPDX-License-Identifier: MIT
// Signals and the FPU/SSE registers, under Tern's Linux personality (LXF0001): a handler that
// changes them leaves the interrupted code's as they were, finds them in its frame
// (uc_mcontext.fpregs, FXSAVE's image as Linux lays it out), and starts with Linux's clean
// state (MXCSR 0x1f80). One TAP line per check; the exit status is the number that failed.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static volatile int handled, saw_fpregs;
static volatile unsigned long saw_xmm5;
static volatile unsigned saw_mxcsr, start_mxcsr;

static void handler(int signal, siginfo_t *info, void *context)
{
    (void)signal;
    (void)info;
    unsigned mxcsr;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    start_mxcsr = mxcsr;
    const ucontext_t *uc = context;
    saw_fpregs = uc->uc_mcontext.fpregs != NULL;
    if (saw_fpregs) {
        unsigned long low;
        memcpy(&low, &uc->uc_mcontext.fpregs->_xmm[5], sizeof low);
        saw_xmm5 = low;
        saw_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    }
    // The handler's own use of the registers: all ones in xmm5, rounding toward zero.
    unsigned changed = 0x1f80 | 3u << 13;
    __asm__ volatile("pcmpeqd %%xmm5, %%xmm5\n\tldmxcsr %0" : : "m"(changed) : "xmm5");
    ++handled;
}

// Sends itself SIGUSR1 with xmm5 = value and the given MXCSR; returns xmm5 and MXCSR after.
static unsigned long interrupted_with(unsigned long value, unsigned mxcsr, unsigned *mxcsr_after)
{
    unsigned long after;
    unsigned out;
    long pid = getpid();
    __asm__ volatile("ldmxcsr %[in]\n\t"
                     "movq %[value], %%xmm5\n\t"
                     "mov $62, %%eax\n\t"  // kill(pid, SIGUSR1)
                     "mov %[pid], %%rdi\n\t"
                     "mov $10, %%esi\n\t"
                     "syscall\n\t"
                     "movq %%xmm5, %[after]\n\t"
                     "stmxcsr %[out]"
                     : [after] "=r"(after), [out] "=m"(out)
                     : [value] "r"(value), [in] "m"(mxcsr), [pid] "r"(pid)
                     : "rax", "rdi", "rsi", "rcx", "r11", "xmm5", "memory");
    *mxcsr_after = out;
    return after;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = handler;
    action.sa_flags = SA_SIGINFO;
    check(sigaction(SIGUSR1, &action, NULL) == 0, "sigaction(SIGUSR1)");

    const unsigned long value = 0x1234567890abcdefUL;
    const unsigned mxcsr = 0x1f80 | 1u << 13;  // rounding down
    unsigned mxcsr_after = 0;
    unsigned long after = interrupted_with(value, mxcsr, &mxcsr_after);
    check(handled == 1, "the handler ran once");
    check(after == value, "xmm5 is the interrupted code's again after the handler changed it");
    check(mxcsr_after == mxcsr, "MXCSR is the interrupted code's again after the handler changed it");
    check(saw_fpregs, "the handler's uc_mcontext.fpregs points at the saved registers");
    check(saw_xmm5 == value, "the saved image holds the interrupted code's xmm5");
    check(saw_mxcsr == mxcsr, "the saved image holds the interrupted code's MXCSR");
    check(start_mxcsr == 0x1f80, "the handler starts with the clean MXCSR 0x1f80");

    // Twice more: nothing of one delivery reaches the next.
    after = interrupted_with(~value, 0x1f80, &mxcsr_after);
    check(handled == 2 && after == ~value && mxcsr_after == 0x1f80 && saw_xmm5 == ~value,
          "a second signal saves and restores the registers as they are then");
    printf("%d checks, %d failed\n", checks, failures);
    return failures;
}
