/* SPDX-License-Identifier: MIT */
/* Interrupt benchmark (a root task): how long from a device raising its interrupt line to
 * the handler thread running, and what the handler's answer (which unmasks the line) costs
 * until the interrupted thread runs again. The device is COM1: enabling its transmitter-
 * empty interrupt while the transmitter is empty raises IRQ 4 at once, so the main thread
 * reads rdtsc right before that `out` and the handler (a thread of higher priority waiting
 * for the interrupt) right when its receive returns. Disabling the interrupt and reading
 * the interrupt identification register lowers the line again. rdtsc counts guest
 * instructions under QEMU -icount shift=0, host TSC ticks under plain TCG. The root task
 * gets COM1's ports from sigma0; nothing is printed while the interrupt is enabled. */
#include <l4/amd64/arch.h>
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/schedule.h>
#include <l4/sigma0.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4/tern/kernel_labels.h>
#include <l4io.h>

#include "abi.h"
#include "bench.h"
#include "tern-syscalls.h"

#define COM1 0x3f8
#define COM1_IER (COM1 + 1)
#define COM1_IIR (COM1 + 2)
#define COM1_MCR (COM1 + 4)
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the UART's interrupt onto the board's line */
#define IER_TRANSMITTER_EMPTY 0x02
#define COM1_LINE 4
#define ROUNDS 1000
#define HANDLER_PRIORITY 200
#define MAIN_PRIORITY 100
#define STACK_WORDS 2048

static L4_Word_t handler_stack[STACK_WORDS] __attribute__((aligned(16)));
static volatile L4_Word_t handler_saw;   /* rdtsc when the handler's receive returned */
static volatile L4_Word_t handler_answers; /* rdtsc right before the handler's answer */
static volatile L4_Word_t handler_count, handler_errors;

static inline void outb(L4_Word_t port, L4_Word_t value) { __asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(port)); }

static inline L4_Word_t inb(L4_Word_t port)
{
    unsigned char value;
    __asm__ volatile("inb %w1, %b0" : "=a"(value) : "Nd"(port));
    return value;
}

static L4_ThreadId_t com1_irq(void) { return L4_GlobalId(COM1_LINE, 1); }

/* Waits for an interrupt; each time: timestamp, quiet the device, answer and wait again
 * (a call to the interrupt thread: the answer unmasks, the receive waits for the next). */
static void handler_main(void)
{
    L4_MsgTag_t tag = L4_Receive(com1_irq());
    for (;;) {
        handler_saw = rdtsc();
        if (L4_IpcFailed(tag) || L4_Label(tag) != TERN_LABEL_INTERRUPT)
            ++handler_errors;
        outb(COM1_IER, 0);
        (void)inb(COM1_IIR);
        ++handler_count;
        L4_LoadMR(0, 0);
        handler_answers = rdtsc();
        tag = L4_Call(com1_irq());
    }
}

int main(void)
{
    printf("irq_bench: interrupt latency through COM1's transmitter-empty interrupt (line %d)\n", COM1_LINE);
    L4_Fpage_t ports = L4_IoFpageLog2(COM1, 3);
    ports.raw |= L4_FullyAccessible;
    if (L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(L4_nilthread, ports, L4_IoFpageLog2(0, 16)))) {
        printf("irq_bench: sigma0 refused COM1's ports\n");
        stop_machine(1);
    }
    L4_Accept(L4_UntypedWordsAcceptor);
    outb(COM1_IER, 0);
    (void)inb(COM1_IIR);
    outb(COM1_MCR, MCR_DTR_RTS_OUT2);

    L4_ThreadId_t me = L4_Myself();
    L4_ThreadId_t handler = L4_GlobalId(L4_ThreadNo(me) + 1, 1);
    L4_Word_t utcb = (L4_Word_t)L4_MyLocalId().raw + 1024; /* the next UTCB slot of this space */
    if (L4_ThreadControl(handler, me, me, L4_Pager(), (void *)utcb) != 1 || L4_AssociateInterrupt(com1_irq(), handler) != 1) {
        printf("irq_bench: cannot make the handler (ErrorCode %lu)\n", L4_ErrorCode());
        stop_machine(1);
    }
    /* The root task starts at 255, the interrupt threads' priority: below it, the main
     * thread is preempted by the interrupt thread and then by the handler. */
    L4_Set_Priority(handler, HANDLER_PRIORITY);
    L4_Set_Priority(me, MAIN_PRIORITY);
    L4_Start_SpIp(handler, (L4_Word_t)&handler_stack[STACK_WORDS - 2], (L4_Word_t)handler_main);
    L4_ThreadSwitch(handler); /* it runs until it waits for the interrupt */

    L4_Word_t to_handler = 0, back = 0, best_to_handler = ~0UL, best_back = ~0UL;
    for (L4_Word_t round = 0; round < ROUNDS + 10; ++round) {
        L4_Word_t count = handler_count;
        L4_Word_t start = rdtsc();
        outb(COM1_IER, IER_TRANSMITTER_EMPTY);
        /* Under -icount the interrupt is taken right after the `out`; plain TCG may run a
         * few more instructions first. Either way the handler has answered and waits
         * again when the main thread runs on. */
        while (handler_count == count && rdtsc() - start < 1000000000UL) {
        }
        L4_Word_t resumed = rdtsc();
        if (handler_count != count + 1) {
            printf("irq_bench: round %lu: the interrupt did not reach the handler\n", round);
            stop_machine(1);
        }
        if (round < 10)
            continue; /* warm up */
        L4_Word_t latency = handler_saw - start, answer = resumed - handler_answers;
        to_handler += latency;
        back += answer;
        best_to_handler = latency < best_to_handler ? latency : best_to_handler;
        best_back = answer < best_back ? answer : best_back;
    }
    outb(COM1_IER, 0);
    if (handler_errors != 0) {
        printf("irq_bench: %lu handler messages were not interrupts\n", handler_errors);
        stop_machine(1);
    }
    printf("BENCH irq.to_handler %lu\n", to_handler / ROUNDS);     /* mean of ROUNDS */
    printf("BENCH irq.to_handler.best %lu\n", best_to_handler);
    printf("BENCH irq.answer %lu\n", back / ROUNDS);               /* mean of ROUNDS */
    printf("BENCH done\n");
    stop_machine(0);
    return 0;
}
