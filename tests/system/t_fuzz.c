/* SPDX-License-Identifier: MIT */
/* FUZZ: a hostile, unprivileged task calls every system call with random arguments and
 * random message registers. The kernel must answer each call without crashing, hanging or
 * corrupting anything: afterwards the task still reports, and the rest of the system works.
 * Every IPC uses zero timeouts so the task never blocks for long. A small first step
 * towards the roadmap's millions of random calls. FUZZ0002 lets two hostile tasks trade
 * memory and I/O ports; FUZZ0003 is the privileged side of interrupts: random associations
 * by the root task while a real interrupt source (the PIT) runs. */
#include "systest.h"

#include <l4/amd64/arch.h>

/* ------------------------------------------------------------------ shared: ports, lines */

/* The harmless ports the root task takes from sigma0 and hands to hostile tasks: the POST
 * code port and the DMA page registers (0x80-0x8f), which nothing in the system uses. */
#define FUZZ_PORTS 0x80UL
#define FUZZ_PORTS_LOG2 4
#define FUZZ_PORT_COUNT (1UL << FUZZ_PORTS_LOG2)
/* The PIT (line 0, ports 0x40-0x43), as tests/system/t_irq.c drives it: the one interrupt
 * source the fuzz controls. Its ports stay with the root task. */
#define PIT_LINE 0
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_HZ 1193182UL
#define LINES 32 /* the I/O APIC's 24 pins, then 8 message-signalled lines (KIP0020) */
#define IRQ_LABEL (((L4_Word_t)-1 << 4) & LABEL_MASK)
/* What a hostile task's port access returns when it raised #GP and its handler (the main
 * thread) resumed it after the instruction: more than any in or out gives. */
#define FAULTED 0xfa017ed0fa017ed0UL

static inline void pit_outb(L4_Word_t port, L4_Word_t value)
{
    __asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(port));
}

/* Channel 0 as a rate generator of hz interrupts a second; hz 0 stops it (mode 0 with the
 * longest count raises the line once more, 55 ms later). */
static void pit_rate(L4_Word_t hz)
{
    L4_Word_t count = hz == 0 ? 0xffff : PIT_HZ / hz;
    pit_outb(PIT_COMMAND, hz == 0 ? 0x30 : 0x34);
    pit_outb(PIT_CHANNEL0, count & 0xff);
    pit_outb(PIT_CHANNEL0, count >> 8);
}

static int have_pit_ports; /* the root task may drive the PIT */

/* 2^log2 ports at base from sigma0 (it gives ports to the root task only). */
static int claim_ports(L4_Word_t base, int log2)
{
    L4_Fpage_t ports = L4_IoFpageLog2(base, log2);
    ports.raw |= L4_FullyAccessible;
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, ports, L4_IoFpageLog2(0, 16));
    L4_Accept(L4_UntypedWordsAcceptor);
    if (!L4_IsNilFpage(got) && base == PIT_CHANNEL0)
        have_pit_ports = 1;
    return !L4_IsNilFpage(got);
}

static L4_ThreadId_t line_id(L4_Word_t line) { return L4_GlobalId(line, 1); }

/* Whether tid names a line of this machine (the I/O APIC's 24 pins but the PIC cascade, and
 * the 8 MSI lines). */
static int is_line(L4_ThreadId_t tid)
{
    return L4_IsGlobalId(tid) && L4_Version(tid) == 1 && L4_ThreadNo(tid) < LINES && L4_ThreadNo(tid) != 2;
}

static int is_interrupt(L4_MsgTag_t tag)
{
    return is_label(tag, IRQ_LABEL) && L4_UntypedWords(tag) == 0 && L4_TypedWords(tag) == 0;
}

/* Whatever a test left: the PIT stopped, no line with a handler, the root task's ports given
 * back (other tests run in a space without ports). */
static void quiet_interrupts_and_ports(void)
{
    if (have_pit_ports)
        pit_rate(0);
    have_pit_ports = 0;
    for (L4_Word_t line = 0; line < LINES; ++line)
        if (line != 2)
            L4_DeassociateInterrupt(line_id(line));
    (void)L4_Flush(L4_IoFpageLog2(FUZZ_PORTS, FUZZ_PORTS_LOG2));
    (void)L4_Flush(L4_IoFpageLog2(PIT_CHANNEL0, 2));
}

/* After a fuzz: the PIT's line still delivers an interrupt to a new handler (the main
 * thread), which answers it. 0 with the failure recorded if not. */
static int interrupts_still_work(void)
{
    if (L4_AssociateInterrupt(line_id(PIT_LINE), main_tid) != 1) {
        fail("line 0 could not be associated with the main thread after the fuzzing (ErrorCode %lu)", L4_ErrorCode());
        return 0;
    }
    pit_rate(1000);
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(line_id(PIT_LINE), 300, &from);
    L4_MsgTag_t answer = L4_Niltag;
    if (L4_IpcSucceeded(tag)) {
        L4_LoadMR(0, 0);
        answer = send_ms(line_id(PIT_LINE), 100);
    }
    pit_rate(0);
    L4_DeassociateInterrupt(line_id(PIT_LINE));
    if (!is_interrupt(tag) || from.raw != line_id(PIT_LINE).raw) {
        fail("no interrupt from line 0 within 300 ms after the fuzzing (tag %#lx from %#lx, ErrorCode %lu)", tag.raw,
             from.raw, L4_ErrorCode());
        return 0;
    }
    if (L4_IpcFailed(answer)) {
        fail("the answer to line 0 failed after the fuzzing (ErrorCode %lu)", L4_ErrorCode());
        return 0;
    }
    return 1;
}

/* Port accesses of a hostile task (port in rdi, value in rsi): one instruction each, at a
 * known address, so its exception handler can resume it after the instruction with rax =
 * FAULTED when the task does not own the port. */
L4_Word_t fz_in8(L4_Word_t port);
L4_Word_t fz_in16(L4_Word_t port);
L4_Word_t fz_in32(L4_Word_t port);
L4_Word_t fz_out8(L4_Word_t port, L4_Word_t value);
L4_Word_t fz_out16(L4_Word_t port, L4_Word_t value);
L4_Word_t fz_out32(L4_Word_t port, L4_Word_t value);
extern char fz_in8_at[], fz_in16_at[], fz_in32_at[], fz_out8_at[], fz_out16_at[], fz_out32_at[];
__asm__(".text\n"
        ".globl fz_in8\n.type fz_in8, @function\nfz_in8:\n"
        "    movl %edi, %edx\n    xorl %eax, %eax\n"
        ".globl fz_in8_at\nfz_in8_at: inb %dx, %al\n    ret\n"
        ".globl fz_in16\n.type fz_in16, @function\nfz_in16:\n"
        "    movl %edi, %edx\n    xorl %eax, %eax\n"
        ".globl fz_in16_at\nfz_in16_at: inw %dx, %ax\n    ret\n"
        ".globl fz_in32\n.type fz_in32, @function\nfz_in32:\n"
        "    movl %edi, %edx\n    xorl %eax, %eax\n"
        ".globl fz_in32_at\nfz_in32_at: inl %dx, %eax\n    ret\n"
        ".globl fz_out8\n.type fz_out8, @function\nfz_out8:\n"
        "    movl %edi, %edx\n    movl %esi, %eax\n"
        ".globl fz_out8_at\nfz_out8_at: outb %al, %dx\n    ret\n"
        ".globl fz_out16\n.type fz_out16, @function\nfz_out16:\n"
        "    movl %edi, %edx\n    movl %esi, %eax\n"
        ".globl fz_out16_at\nfz_out16_at: outw %ax, %dx\n    ret\n"
        ".globl fz_out32\n.type fz_out32, @function\nfz_out32:\n"
        "    movl %edi, %edx\n    movl %esi, %eax\n"
        ".globl fz_out32_at\nfz_out32_at: outl %eax, %dx\n    ret\n");

/* Where a faulting port access at rip goes on (the instruction is one byte long, and
 * 0x66-prefixed for 16 bits), 0 if rip is no port access. */
static L4_Word_t port_access_after(L4_Word_t rip)
{
    if (rip == (L4_Word_t)fz_in8_at || rip == (L4_Word_t)fz_in32_at || rip == (L4_Word_t)fz_out8_at ||
        rip == (L4_Word_t)fz_out32_at)
        return rip + 1;
    if (rip == (L4_Word_t)fz_in16_at || rip == (L4_Word_t)fz_out16_at)
        return rip + 2;
    return 0;
}

static volatile L4_Word_t port_faults, bad_exceptions, bad_exception_from, bad_exception_vector, bad_exception_ip;

/* Answers the exception message in the MRs from a hostile task: a #GP at one of the port
 * accesses resumes it after the instruction with rax = FAULTED (1). Anything else is noted
 * and not answered: the task stays blocked and does not finish (0). */
static int answer_port_fault(L4_ThreadId_t from)
{
    L4_Word_t after = port_access_after(mr(X_RIP));
    if (mr(X_VECTOR) != 13 || mr(X_ERROR) != 0 || after == 0) {
        ++bad_exceptions;
        bad_exception_from = from.raw;
        bad_exception_vector = mr(X_VECTOR);
        bad_exception_ip = mr(X_RIP);
        return 0;
    }
    ++port_faults;
    return L4_IpcSucceeded(reply_exception(from, after, FAULTED)) != 0;
}

/* One page from sigma0, received in a window of its own: with the complete address space
 * as the window, the page would land at its physical address, which may be where this
 * task's own image is mapped (the map replaces that mapping, and the image's data with it). */
static L4_Fpage_t sigma0_still_answers(void)
{
    return L4_Sigma0_GetAny(sigma0_tid, 12, L4_FpageLog2(WINDOW(150), 12));
}

/* ------------------------------------------------------------------ FUZZ0001 */

#define FUZZ_CALLS 200000
#define FUZZ_MAGIC 0xf022f022UL

static volatile L4_Word_t fuzz_calls_made;
static L4_Word_t fuzz_state = 0x9e3779b97f4a7c15UL;

static L4_Word_t next_random(void)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return fuzz_state;
}

/* An interrupt thread's id: a line (0-31) of version 1 mostly, sometimes a nearby invalid
 * one: the PIC cascade (line 2), lines 32-39, versions 0 (a local id), 2 or 3. */
static L4_Word_t interrupt_argument(void)
{
    L4_Word_t r = next_random();
    L4_Word_t line = r % 4 == 0 ? (r >> 8) % 40 : (r >> 8) % LINES;
    L4_Word_t version = (r >> 16) % 8 == 0 ? (r >> 20) % 4 : 1;
    return L4_GlobalId(line, version).raw;
}

/* An I/O fpage (port << 16 | s << 10 | 2 << 4 | rights): mostly valid ones (the ports this
 * task was given, or anywhere), sometimes misaligned, too big (s > 16) or with high bits. */
static L4_Word_t io_fpage_argument(void)
{
    L4_Word_t r = next_random();
    L4_Word_t s = (r >> 8) % 17, rights = (r >> 16) & 0xf;
    L4_Word_t port = (r >> 24) & 0xffff;
    switch (r % 8) {
    case 0:
    case 1:
    case 2: s %= FUZZ_PORTS_LOG2 + 1; port = FUZZ_PORTS + (port % FUZZ_PORT_COUNT); break;
    case 3:
    case 4: break;
    case 5: return L4_IoFpageLog2(port | 1, (int)(s % 16 + 1)).raw | rights;                 /* misaligned */
    case 6: return L4_IoFpageLog2(0, (int)(17 + s % 47)).raw | rights;                       /* too big */
    default: return L4_IoFpageLog2(port & ~((1UL << s) - 1), (int)s).raw | rights | next_random() << 32;
    }
    return L4_IoFpageLog2(port & ~((1UL << s) - 1), (int)s).raw | rights;
}

/* Mostly plausible values (small numbers, thread ids, interrupt thread ids, memory and I/O
 * fpages, addresses), sometimes anything. */
static L4_Word_t random_argument(void)
{
    L4_Word_t r = next_random();
    switch (r % 10) {
    case 0: return 0;
    case 1: return ~0UL;
    case 2: return L4_GlobalId((L4_Word_t)(next_random() % 5000), (L4_Word_t)(next_random() % 4 + 1)).raw;
    case 3: return main_tid.raw;
    case 4: return next_random() & 0x7ffffffff000UL;          /* a user address */
    case 5: return L4_FpageLog2(next_random() & 0x7fffffff000UL, (int)(next_random() % 40 + 12)).raw | (r & 7);
    case 6: return next_random() & 0xffff;
    case 7: return interrupt_argument();
    case 8: return io_fpage_argument();
    default: return next_random();
    }
}

static L4_Word_t kip_entry(L4_Word_t link)
{
    L4_Word_t base = (L4_Word_t)kip;
    return base + *(L4_Word_t *)(base + link);
}

#define FUZZ_READY 0xf022ea11UL

static volatile L4_Word_t fuzz_interrupts; /* interrupt messages the task received */

/* Counts what an IPC of the task received when it is an interrupt from line 0. */
static void count_interrupt(L4_Word_t sender, L4_Word_t tag)
{
    if (sender == line_id(PIT_LINE).raw && (tag & 0x8000) == 0 && ((tag >> 16) & LABEL_MASK) == IRQ_LABEL &&
        (tag & 0xffff) == 0)
        ++fuzz_interrupts;
}

static void fuzz_main(void)
{
    L4_Word_t result, out1, out2, out3, out4, out5, out6;
    const L4_Word_t zero_timeouts = (L4_Word_t)0x0400 << 16 | 0x0400;
    /* First the ports its random Unmaps and map items can name: the main thread's answer
     * maps them. */
    L4_Accept(L4_MapGrantItems(L4_IoFpageLog2(0, 16)));
    load_msg(LABEL_REPORT, 1, FUZZ_READY, 0, 0);
    (void)L4_Call_Timeouts(main_tid, ms_time(2000), ms_time(2000));
    for (L4_Word_t i = 0; i < FUZZ_CALLS; ++i) {
        L4_Word_t *utcb = my_utcb();
        for (int m = 3; m < 64; ++m)
            utcb[TERN_UTCB_MR / 8 + (unsigned)m] = random_argument();
        utcb[TERN_UTCB_BR / 8] = random_argument();
        switch (next_random() % 11) {
        case 0:
        case 1:
            __tern_syscall_ipc(kip_entry(TERN_KIP_LINK_IPC), random_argument(), random_argument(), zero_timeouts,
                               next_random(), random_argument(), random_argument(), &result, &out1, &out2, &out3);
            count_interrupt(result, out1);
            break;
        case 2:
            __tern_syscall_lipc(kip_entry(TERN_KIP_LINK_LIPC), random_argument() & ~63UL, random_argument(),
                                zero_timeouts, next_random(), random_argument(), random_argument(), &result, &out1,
                                &out2, &out3);
            break;
        case 3:
            __tern_syscall_thread_control(kip_entry(TERN_KIP_LINK_THREAD_CONTROL), random_argument(),
                                          random_argument(), random_argument(), random_argument(), random_argument(),
                                          &result);
            break;
        case 4:
            __tern_syscall_space_control(kip_entry(TERN_KIP_LINK_SPACE_CONTROL), random_argument(), random_argument(),
                                         random_argument(), random_argument(), random_argument(), &result, &out1);
            break;
        case 5:
            __tern_syscall_schedule(kip_entry(TERN_KIP_LINK_SCHEDULE), random_argument(), random_argument(),
                                    random_argument(), random_argument(), random_argument(), &result, &out1, &out2);
            break;
        case 6:
            /* ExchangeRegisters without the bits that would send this very thread astray (new
             * IP, SP, flags, pager, or a halt): those are for its parent to use. */
            __tern_syscall_exchange_registers(kip_entry(TERN_KIP_LINK_EXCHANGE_REGISTERS), random_argument(),
                                              random_argument() & 0x246, random_argument(), random_argument(),
                                              random_argument(), random_argument(), random_argument(), &result,
                                              &out1, &out2, &out3, &out4, &out5, &out6);
            break;
        case 7:
            __tern_syscall_thread_switch(kip_entry(TERN_KIP_LINK_THREAD_SWITCH), random_argument());
            break;
        case 8:
            /* Unmap without flushing this task's own code and stack away: its MRs say what. */
            __tern_syscall_unmap(kip_entry(TERN_KIP_LINK_UNMAP), next_random() & 63);
            break;
        case 9:
            __tern_syscall_processor_control(kip_entry(TERN_KIP_LINK_PROCESSOR_CONTROL), random_argument(),
                                             random_argument(), random_argument(), random_argument(), &result);
            break;
        default:
            __tern_syscall_memory_control(kip_entry(TERN_KIP_LINK_MEMORY_CONTROL), random_argument(),
                                          random_argument(), random_argument(), random_argument(), random_argument(),
                                          &result);
            break;
        }
        fuzz_calls_made = i + 1;
    }
    load_msg(LABEL_REPORT, 2, FUZZ_MAGIC, fuzz_calls_made, 0);
    for (;;)
        send_ms(main_tid, 1000);
}

/* Interrupt threads exist for the task's calls to meet: line 0 (the PIT, running) has the
 * task itself as handler, so its random receives get interrupts and its random sends to
 * line 0 answer them; line 7 has the main thread as handler (the task is a stranger to
 * it), line 3 had one and was detached. The task owns the ports 0x80-0x8f. */
static void random_calls_do_no_harm(void)
{
    fuzz_calls_made = fuzz_interrupts = 0;
    CHECK(claim_ports(FUZZ_PORTS, FUZZ_PORTS_LOG2) && claim_ports(PIT_CHANNEL0, 2),
          "sigma0 did not give the root task the ports 0x80-0x8f and 0x40-0x43");
    /* The task's random sends reach this thread while it serves the task: accept no map
     * items meanwhile, or they would (legitimately) replace this space's own pages. */
    L4_Word_t *utcb = my_utcb();
    L4_Word_t acceptor = utcb[TERN_UTCB_BR / 8];
    utcb[TERN_UTCB_BR / 8] = 0;
    L4_ThreadId_t child = spawn_child(fuzz_main, 0);
    CHECK(!L4_IsNilThread(child), "no fuzzing task");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_child(child, 2000, &from);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == FUZZ_READY, "the fuzzing task did not ask for its ports (tag %#lx)",
          tag.raw);
    CHECK(L4_AssociateInterrupt(line_id(PIT_LINE), child) == 1 && L4_AssociateInterrupt(line_id(7), main_tid) == 1 &&
              L4_AssociateInterrupt(line_id(3), main_tid) == 1 && L4_DeassociateInterrupt(line_id(3)) == 1,
          "the lines could not be associated (ErrorCode %lu)", L4_ErrorCode());
    pit_rate(1000);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_IoFpageLog2(FUZZ_PORTS, FUZZ_PORTS_LOG2), 0));
    L4_MsgLoad(&msg);
    CHECK(L4_IpcSucceeded(send_ms(child, 1000)), "the fuzzing task did not take its ports (ErrorCode %lu)",
          L4_ErrorCode());
    /* The task's random sends arrive too, some failing (a string item is refused, for
     * instance): wait for its real report, or for silence. */
    for (int tries = 0; tries < 100000; ++tries) {
        tag = serve_child(child, 20000, &from);
        if (L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE))
            break;
        if (L4_IpcSucceeded(tag) && is_label(tag, LABEL_REPORT) && mr(1) == FUZZ_MAGIC)
            break;
    }
    utcb[TERN_UTCB_BR / 8] = acceptor;
    L4_Word_t calls_reported = mr(2);
    pit_rate(0);
    L4_Word_t time_control;
    L4_Word_t state = L4_Schedule(child, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == FUZZ_MAGIC,
          "the fuzzing task did not finish: %lu of %u calls made (tag %#lx, its state %lu, last fault at %#lx)",
          fuzz_calls_made, FUZZ_CALLS, tag.raw, state,
          fault_log_count > 0 ? fault_log[(fault_log_count - 1) % FAULT_LOG].address : 0);
    CHECK(calls_reported == FUZZ_CALLS, "the task reports %lu calls, expected %u", calls_reported, FUZZ_CALLS);
    CHECK(fuzz_interrupts > 0, "the task, handler of line 0 with the PIT running, never received an interrupt");
    CHECK(L4_DeassociateInterrupt(line_id(PIT_LINE)) == 1 && L4_DeassociateInterrupt(line_id(7)) == 1,
          "the lines could not be detached after the fuzzing (ErrorCode %lu)", L4_ErrorCode());
    /* The system still works: a new thread answers, sigma0 still answers, line 0 delivers. */
    L4_ThreadId_t t = spawn_simple((thread_fn)0, 0);
    CHECK(!L4_IsNilThread(t), "no thread could be made after the fuzzing");
    L4_Fpage_t page = sigma0_still_answers();
    CHECK(!L4_IsNilFpage(page), "sigma0 no longer hands out pages after the fuzzing");
    if (!interrupts_still_work())
        return;
}

static void fuzz_calls_test(void)
{
    random_calls_do_no_harm();
    quiet_interrupts_and_ports();
}

/* ------------------------------------------------------------------ FUZZ0002 */

/* Two hostile tasks (two unprivileged spaces) trade random messages with random map, grant
 * and string items, receive with random acceptors and buffer strings, unmap and flush
 * random parts of their memory and touch it again, all with short timeouts. Their own
 * memory for this is a scratch area of the image each (their pager, the main thread,
 * serves faults there, so a page granted or flushed away simply comes back). The root task
 * maps them the ports 0x80-0x8f (at the start, and random parts again now and then), which
 * they mix into their items, unmaps, flushes and acceptors, and use with in and out; an
 * access to a port they do not own is a #GP their exception handler, the main thread,
 * answers by resuming them after the instruction. */
#define TRADE_ROUNDS 20000
#define SCRATCH_BYTES (256UL * 1024)
#define TRADE_MAGIC 0x7ade7adeUL
#define TRADE_READY 0x7ade0001UL

static unsigned char scratch[2][SCRATCH_BYTES] __attribute__((aligned(256 * 1024)));
static volatile L4_Word_t trader[2];
static volatile L4_Word_t trades_made[2];
static volatile L4_Word_t port_uses[2]; /* port accesses that went through */

static L4_Word_t step(L4_Word_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* A random aligned fpage of 4 KiB to 256 KiB inside this trader's scratch area. */
static L4_Fpage_t scratch_fpage(int me, L4_Word_t *state)
{
    int log2 = 12 + (int)(step(state) % 7);
    L4_Word_t offset = step(state) & (SCRATCH_BYTES - 1) & ~((1UL << log2) - 1);
    L4_Fpage_t f = L4_FpageLog2((L4_Word_t)scratch[me] + offset, log2);
    L4_Set_Rights(&f, step(state) & 7);
    return f;
}

static void *scratch_address(int me, L4_Word_t *state, L4_Word_t length)
{
    return scratch[me] + (step(state) % (SCRATCH_BYTES - length));
}

/* A random I/O fpage: mostly part of the ports handed out, sometimes every port, a valid
 * one anywhere, a misaligned one, one too big or one with high bits. */
static L4_Fpage_t trader_io_fpage(L4_Word_t *state)
{
    L4_Word_t r = step(state);
    L4_Word_t rights = (r >> 40) & 0xf, port = (r >> 16) & 0xffff;
    int log2 = (int)((r >> 8) % (FUZZ_PORTS_LOG2 + 1));
    L4_Fpage_t f;
    switch (r % 10) {
    case 6: f = L4_IoFpageLog2(0, 16); break;
    case 7: log2 = (int)((r >> 8) % 17); f = L4_IoFpageLog2(port & ~((1UL << log2) - 1), log2); break;
    case 8: f = L4_IoFpageLog2(FUZZ_PORTS + 1 + port % (FUZZ_PORT_COUNT - 1), log2 + 1); break; /* misaligned */
    case 9:
        f = (r >> 32) & 1 ? L4_IoFpageLog2(0, (int)(17 + (r >> 8) % 47))
                          : L4_IoFpageLog2(FUZZ_PORTS, FUZZ_PORTS_LOG2);
        if ((r >> 33) & 1)
            f.raw |= step(state) << 32;
        break;
    default: f = L4_IoFpageLog2(FUZZ_PORTS + ((port % FUZZ_PORT_COUNT) & ~((1UL << log2) - 1)), log2); break;
    }
    f.raw |= rights;
    return f;
}

/* A port access: mostly reads of 0x70-0x9f (a few owned, most not), writes to 0x7c-0x8f
 * (that never reach 0x92, the system control port, even if the kernel let them through),
 * and reads of ports nobody was given (PIC mask, keyboard status, COM1's line status). */
static L4_Word_t touch_port(L4_Word_t *state)
{
    static const L4_Word_t never_given[] = {0x21, 0x61, 0x64, 0xa1, 0x3fd};
    L4_Word_t r = step(state);
    L4_Word_t width = 1UL << ((r >> 8) % 3);
    L4_Word_t kind = r % 8;
    if (kind < 5) {
        L4_Word_t port = 0x70 + (r >> 16) % (0x30 - width + 1);
        return width == 1 ? fz_in8(port) : width == 2 ? fz_in16(port) : fz_in32(port);
    }
    if (kind < 7) {
        L4_Word_t port = 0x7c + (r >> 16) % (0x92 - 0x7c - width + 1);
        L4_Word_t value = r >> 32;
        return width == 1 ? fz_out8(port, value) : width == 2 ? fz_out16(port, value) : fz_out32(port, value);
    }
    return fz_in8(never_given[(r >> 16) % (sizeof never_given / sizeof never_given[0])]);
}

static void trade(int me)
{
    L4_Word_t state = 0x2545f4914f6cdd1dUL * (L4_Word_t)(me + 1);
    L4_Set_ExceptionHandler(main_tid);
    /* Its ports first: the main thread's answer maps them. */
    L4_Accept(L4_MapGrantItems(L4_IoFpageLog2(0, 16)));
    load_msg(LABEL_REPORT, 1, TRADE_READY, 0, 0);
    (void)L4_Call_Timeouts(main_tid, ms_time(2000), ms_time(5000));
    L4_ThreadId_t peer = {.raw = trader[1 - me]};
    for (L4_Word_t i = 0; i < TRADE_ROUNDS; ++i) {
        if (peer.raw == 0)
            peer.raw = trader[1 - me];
        switch (step(&state) % 6) {
        case 0: { /* send typed items (and a few words) */
            L4_Msg_t msg;
            L4_MsgClear(&msg);
            L4_Word_t words = step(&state) % 4, items = step(&state) % 4;
            for (L4_Word_t w = 0; w < words; ++w)
                L4_MsgAppendWord(&msg, step(&state));
            for (L4_Word_t k = 0; k < items; ++k) {
                L4_Word_t kind = step(&state) % 5;
                L4_Word_t base = step(&state) & 0x7ffffffff000UL;
                if (kind == 0)
                    L4_MsgAppendMapItem(&msg, L4_MapItem(scratch_fpage(me, &state), base));
                else if (kind == 1)
                    L4_MsgAppendGrantItem(&msg, L4_GrantItem(scratch_fpage(me, &state), base));
                else if (kind == 2)
                    L4_MsgAppendMapItem(&msg, L4_MapItem(trader_io_fpage(&state), base));
                else if (kind == 3)
                    L4_MsgAppendGrantItem(&msg, L4_GrantItem(trader_io_fpage(&state), base));
                else {
                    L4_Word_t length = step(&state) % 8192;
                    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem((int)length, scratch_address(me, &state, length)));
                }
            }
            L4_MsgLoad(&msg);
            (void)L4_Send_Timeout(peer, ms_time(1));
            break;
        }
        case 1: { /* receive with a random acceptor and buffers */
            L4_MsgBuffer_t buffer;
            L4_MsgBufferClear(&buffer);
            L4_Word_t buffers = step(&state) % 3;
            for (L4_Word_t b = 0; b < buffers; ++b) {
                L4_Word_t length = step(&state) % 8192;
                L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem((int)length, scratch_address(me, &state, length)));
            }
            /* A memory window in the scratch area, or an I/O window (never the complete
             * address space: a peer's pages would land on this task's code). */
            L4_Word_t which = step(&state) % 8;
            L4_Acceptor_t acceptor = L4_MapGrantItems(which < 5    ? scratch_fpage(me, &state)
                                                      : which < 7 ? trader_io_fpage(&state)
                                                                  : L4_IoFpageLog2(0, 16));
            if (step(&state) & 1)
                acceptor = L4_AddAcceptor(acceptor, L4_StringItemsAcceptor);
            L4_AcceptStrings(acceptor, &buffer);
            L4_Set_XferTimeouts(step(&state) & 1 ? 0 : (L4_Word_t)ms_time(2).raw << 16 | ms_time(2).raw);
            L4_ThreadId_t from;
            (void)L4_Wait_Timeout(ms_time(1), &from);
            L4_Accept(L4_UntypedWordsAcceptor);
            break;
        }
        case 2: { /* unmap or flush part of the scratch area or of the ports */
            L4_Fpage_t f = step(&state) % 5 == 0 ? trader_io_fpage(&state) : scratch_fpage(me, &state);
            if (step(&state) & 1)
                (void)L4_Flush(f);
            else
                (void)L4_UnmapFpage(f);
            break;
        }
        case 3: { /* touch it: whatever went away is faulted in again */
            volatile L4_Word_t *word = (volatile L4_Word_t *)((L4_Word_t)scratch_address(me, &state, 8) & ~7UL);
            if (step(&state) & 1)
                *word = i;
            else
                (void)*word;
            break;
        }
        case 4: /* a call with a receive timeout, to meet the peer's receive */
            L4_LoadMR(0, 0);
            (void)L4_Call_Timeouts(peer, ms_time(1), ms_time(1));
            break;
        default:
            if (step(&state) % 4 == 0) {
                /* ask the root task for ports, into a random window */
                L4_Accept(L4_MapGrantItems(step(&state) & 1 ? L4_IoFpageLog2(0, 16) : trader_io_fpage(&state)));
                load_msg(LABEL_PING, 0, 0, 0, 0);
                (void)L4_Call_Timeouts(main_tid, ms_time(1), ms_time(100));
                L4_Accept(L4_UntypedWordsAcceptor);
            } else if (touch_port(&state) != FAULTED) {
                /* owned ports go through, others fault and are skipped */
                ++port_uses[me];
            }
            break;
        }
        trades_made[me] = i + 1;
    }
    /* Report, then run the main thread's final port accesses: its answer names one (MR1 0
     * for in, 1 for out; MR2 the port, perhaps with a map item) and the next report (MR3)
     * says what it gave. */
    L4_Word_t result = 0;
    for (;;) {
        load_msg(LABEL_REPORT, 3, TRADE_MAGIC, trades_made[me], result);
        L4_Accept(L4_MapGrantItems(L4_IoFpageLog2(0, 16)));
        L4_MsgTag_t tag = L4_Call_Timeouts(main_tid, ms_time(1000), ms_time(60000));
        result = 0;
        if (is_label(tag, LABEL_START))
            result = mr(1) == 0 ? fz_in8(mr(2)) : fz_out8(mr(2), 0);
    }
}

static void trader_a(void) { trade(0); }
static void trader_b(void) { trade(1); }

/* Serves the traders (page faults, port faults) until one sends something else; returns
 * its tag. A timeout or an unanswerable fault reads as a failed tag. */
static L4_MsgTag_t serve_traders(L4_ThreadId_t who, L4_Word_t ms, L4_ThreadId_t *from)
{
    for (;;) {
        L4_MsgTag_t tag = serve_child(who, ms, from);
        if (!is_exception(tag))
            return tag;
        if (!answer_port_fault(*from)) {
            tag.raw = 0x8000;
            return tag;
        }
    }
}

/* Runs one port access (out: 1) in trader t, which waits in its report call, perhaps
 * after mapping it ports; its result (FAULTED when it raised #GP), ~0 if it did not
 * report. */
static L4_Word_t trader_access(L4_ThreadId_t t, int out, L4_Word_t port, L4_Fpage_t give)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_START);
    L4_MsgAppendWord(&msg, (L4_Word_t)out);
    L4_MsgAppendWord(&msg, port);
    if (!L4_IsNilFpage(give))
        L4_MsgAppendMapItem(&msg, L4_MapItem(give, 0));
    L4_MsgLoad(&msg);
    if (L4_IpcFailed(send_ms(t, 1000)))
        return ~0UL;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = serve_traders(t, 2000, &from);
    return is_label(tag, LABEL_REPORT) && mr(1) == TRADE_MAGIC ? mr(3) : ~0UL;
}

static void random_trades_do_no_harm(void)
{
    trader[0] = trader[1] = 0;
    trades_made[0] = trades_made[1] = 0;
    port_uses[0] = port_uses[1] = 0;
    port_faults = bad_exceptions = 0;
    CHECK(claim_ports(FUZZ_PORTS, FUZZ_PORTS_LOG2), "sigma0 did not give the root task the ports 0x80-0x8f");
    const L4_Fpage_t all_ports = L4_IoFpageLog2(FUZZ_PORTS, FUZZ_PORTS_LOG2);
    L4_Word_t *utcb = my_utcb();
    L4_Word_t acceptor = utcb[TERN_UTCB_BR / 8];
    utcb[TERN_UTCB_BR / 8] = 0;
    /* Hostile tasks are ring-3 tasks even when the suite runs in ring 0: a kernel-mode task
     * is trusted, and has every port. */
    L4_ThreadId_t a = spawn_child_in(trader_a, 0, 0);
    L4_ThreadId_t b = spawn_child_in(trader_b, 1, 0);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "no trading tasks");
    /* Each asks for its ports first; the answer maps them (0x80-0x87 to one, 0x88-0x8f to
     * the other: they trade for the rest). */
    L4_ThreadId_t from = L4_nilthread;
    for (int k = 0; k < 2; ++k) {
        L4_ThreadId_t t = k == 0 ? a : b;
        L4_MsgTag_t tag = serve_child(t, 2000, &from);
        CHECK(is_label(tag, LABEL_REPORT) && mr(1) == TRADE_READY, "trader %d did not ask for its ports (tag %#lx)",
              k, tag.raw);
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_MsgAppendMapItem(&msg, L4_MapItem(L4_IoFpageLog2(FUZZ_PORTS + (L4_Word_t)k * 8, 3), 0));
        L4_MsgLoad(&msg);
        CHECK(L4_IpcSucceeded(send_ms(t, 1000)), "trader %d did not take its ports (ErrorCode %lu)", k,
              L4_ErrorCode());
    }
    trader[0] = a.raw;
    trader[1] = b.raw;
    int reported[2] = {0, 0};
    L4_MsgTag_t tag = L4_Niltag;
    L4_Word_t gifts = 0, root_state = 0x853c49e6748fea9bUL;
    /* Serve their faults until both report; give up when neither made progress for 20 s
     * (serve_child also returns after many faults, which is no reason to stop). Now and
     * then map a trader some of the ports again (it takes them only while it waits in an
     * open receive whose window covers them). */
    L4_Word_t progress = 0, last_progress_us = now_us();
    while (!(reported[0] && reported[1]) && now_us() - last_progress_us < 20000000UL && bad_exceptions == 0) {
        tag = serve_traders(L4_anythread, 20, &from);
        if (L4_IpcSucceeded(tag) && is_label(tag, LABEL_REPORT) && mr(1) == TRADE_MAGIC)
            reported[from.raw == a.raw ? 0 : 1] = 1;
        int asked = is_label(tag, LABEL_PING) && (from.raw == a.raw || from.raw == b.raw);
        if (asked || step(&root_state) % 4 == 0) {
            /* a part of the ports: to the trader that asked, or to one that may be waiting */
            int k = asked ? (from.raw == a.raw ? 0 : 1) : (int)(step(&root_state) & 1);
            L4_Word_t r = step(&root_state);
            int log2 = (int)(r % (FUZZ_PORTS_LOG2 + 1));
            L4_Fpage_t part = L4_IoFpageLog2(FUZZ_PORTS + (((r >> 8) % FUZZ_PORT_COUNT) & ~((1UL << log2) - 1)), log2);
            L4_Msg_t msg;
            L4_MsgClear(&msg);
            L4_MsgAppendMapItem(&msg, L4_MapItem(part, 0));
            L4_MsgLoad(&msg);
            if (!reported[k] && L4_IpcSucceeded(L4_Send_Timeout(k == 0 ? a : b, L4_ZeroTime)))
                ++gifts;
        }
        if (trades_made[0] + trades_made[1] != progress) {
            progress = trades_made[0] + trades_made[1];
            last_progress_us = now_us();
        }
    }
    utcb[TERN_UTCB_BR / 8] = acceptor;
    L4_Word_t state_a = 0, state_b = 0, time_control;
    state_a = L4_Schedule(a, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    state_b = L4_Schedule(b, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    const struct fault_record *last = fault_log_count > 0 ? &fault_log[(fault_log_count - 1) % FAULT_LOG] : 0;
    CHECK(bad_exceptions == 0, "trader %#lx raised exception %lu at %#lx, not a #GP at a port access",
          bad_exception_from, bad_exception_vector, bad_exception_ip);
    CHECK(reported[0] && reported[1],
          "the traders did not finish: %lu and %lu of %u rounds (last tag %#lx, states %lu %lu, last fault by %lx at "
          "%#lx ip %#lx)",
          trades_made[0], trades_made[1], TRADE_ROUNDS, tag.raw, state_a, state_b, last ? last->from : 0,
          last ? last->address : 0, last ? last->ip : 0);
    /* The fuzz did what it is for: ports were used and ports were refused. */
    CHECK(port_uses[0] + port_uses[1] > 0 && port_faults > 0,
          "port accesses: %lu and %lu went through, %lu faulted (%lu gifts); both kinds expected", port_uses[0],
          port_uses[1], port_faults, gifts);
    /* Both get all the ports once more and use them; the root task's Flush then takes them
     * from both (from whatever they mapped or granted each other too): every access faults. */
    for (int k = 0; k < 2; ++k) {
        L4_ThreadId_t t = k == 0 ? a : b;
        L4_Word_t got = trader_access(t, 0, FUZZ_PORTS + 5, all_ports);
        CHECK(got != ~0UL && got != FAULTED, "trader %d could not read port 0x85 mapped to it (result %#lx)", k, got);
        got = trader_access(t, 1, FUZZ_PORTS + 0xc, L4_Nilpage);
        CHECK(got != ~0UL && got != FAULTED, "trader %d could not write port 0x8c mapped to it (result %#lx)", k, got);
    }
    (void)L4_Flush(all_ports);
    static const L4_Word_t probes[] = {FUZZ_PORTS, FUZZ_PORTS + 5, FUZZ_PORTS + 8, FUZZ_PORTS + 0xf};
    for (int k = 0; k < 2; ++k)
        for (unsigned p = 0; p < sizeof probes / sizeof probes[0]; ++p)
            for (int out = 0; out < 2; ++out) {
                L4_Word_t got = trader_access(k == 0 ? a : b, out, probes[p], L4_Nilpage);
                CHECK(got == FAULTED, "trader %d: %s port %#lx after the root task's Flush gave %#lx, not a fault", k,
                      out ? "writing" : "reading", probes[p], got);
            }
    /* The system still works: a new thread answers, sigma0 still answers. */
    L4_ThreadId_t t = spawn_simple((thread_fn)0, 0);
    CHECK(!L4_IsNilThread(t), "no thread could be made after the trading");
    L4_Fpage_t page = sigma0_still_answers();
    CHECK(!L4_IsNilFpage(page), "sigma0 no longer hands out pages after the trading");
}

static void fuzz_trades_test(void)
{
    random_trades_do_no_harm();
    quiet_interrupts_and_ports();
}

/* ------------------------------------------------------------------ FUZZ0003 */

/* The privileged side: the root task calls ThreadControl on interrupt thread ids with
 * random space specifiers, schedulers, handlers (itself, a thread of its space, a task,
 * threads that no longer or never existed, other interrupt threads, local ids, junk) and
 * UTCB locations, and ThreadControl making user threads with and without a scheduler, interleaved with receiving, answering or ignoring interrupts of the
 * running PIT, Schedule, ExchangeRegisters and ThreadSwitch on interrupt threads, and the
 * deletion of handlers. The kernel's answers are checked against the rules of
 * docs/kernel.md ("Interrupts"), and what arrives against who is the handler of what. */
#define IRQ_FUZZ_OPS 20000
enum { BY_MAIN, BY_LOCAL, BY_CHILD };

static volatile L4_Word_t irq_handled[3], irq_bad[3], irq_bad_from[3], irq_bad_tag[3];
static unsigned char answer_page[4096] __attribute__((aligned(4096)));

/* A random answer: mostly empty, sometimes words, map or grant items of memory or of the
 * ports 0x80-0x8f (an interrupt thread accepts none), or (strings) a string item. */
static void load_answer(L4_Word_t *state, int strings)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Word_t r = step(state);
    L4_Fpage_t page = L4_FpageLog2((L4_Word_t)answer_page, 12);
    L4_Set_Rights(&page, L4_FullyAccessible);
    switch (r % 10) {
    case 6:
        for (L4_Word_t k = 0; k < 1 + (r >> 8) % 3; ++k)
            L4_MsgAppendWord(&msg, r >> k);
        break;
    case 7: L4_MsgAppendMapItem(&msg, L4_MapItem(L4_IoFpageLog2(FUZZ_PORTS, FUZZ_PORTS_LOG2), 0)); break;
    case 8:
        if ((r >> 8) & 1)
            L4_MsgAppendGrantItem(&msg, L4_GrantItem(L4_IoFpageLog2(FUZZ_PORTS + 8, 3), 0));
        else
            L4_MsgAppendMapItem(&msg, L4_MapItem(page, (L4_Word_t)answer_page));
        break;
    case 9:
        if (strings)
            L4_MsgAppendSimpleStringItem(&msg, L4_StringItem((int)((r >> 8) % 4096), answer_page));
        else
            L4_MsgAppendWord(&msg, r);
        break;
    default: break;
    }
    L4_MsgLoad(&msg);
}

/* A handler thread (of the root task's space, or of a task): answers interrupts from any
 * line, but lets one in eight stay unanswered (its line stays masked). */
static void answer_interrupts(int who)
{
    L4_Word_t state = 0x9e3779b97f4a7c15UL ^ ((L4_Word_t)who << 40);
    for (;;) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcFailed(tag))
            continue;
        if (!is_line(from) || !is_interrupt(tag)) {
            ++irq_bad[who];
            irq_bad_from[who] = from.raw;
            irq_bad_tag[who] = tag.raw;
            continue;
        }
        ++irq_handled[who];
        if (step(&state) % 8 == 0)
            continue;
        load_answer(&state, 1);
        (void)L4_Send_Timeout(from, L4_ZeroTime);
    }
}

static void local_handler(L4_Word_t unused)
{
    (void)unused;
    answer_interrupts(BY_LOCAL);
}

static void child_handler(void) { answer_interrupts(BY_CHILD); }

/* A line id: mostly a line of this machine, sometimes line 2, 32-39 or another version. */
static L4_ThreadId_t random_line_id(L4_Word_t *state)
{
    L4_Word_t r = step(state);
    L4_Word_t line = r % 8 == 0 ? (r >> 8) % 40 : (r >> 8) % LINES;
    L4_Word_t version = (r >> 16) % 10 == 0 ? (r >> 20) % 4 : 1;
    return L4_GlobalId(line, line == 0 && version == 0 ? 2 : version); /* (0, 0) would be nilthread */
}

static struct irq_fuzz {
    L4_Word_t state;
    L4_ThreadId_t local, child, dead_local, dead_child; /* the handlers, and their predecessors */
    L4_Word_t handler_of[LINES];                         /* the model: each line's handler (0: none) */
    L4_Word_t mismatches;                                /* the kernel disagreed with the model */
    char first_mismatch[200];
    L4_Word_t associations, answers, stopped_lines;
} fz;

static void mismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mismatch(const char *fmt, ...)
{
    if (fz.mismatches++ == 0) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(fz.first_mismatch, sizeof fz.first_mismatch, fmt, args);
        va_end(args);
    }
}

/* The user thread a handler argument names (its global id), or 0 when none. */
static L4_Word_t live_handler(L4_ThreadId_t h)
{
    if (h.raw == main_tid.raw || h.raw == L4_MyLocalId().raw)
        return main_tid.raw;
    if (!L4_IsNilThread(fz.local) &&
        (h.raw == fz.local.raw || h.raw == utcb_of_slot(slot_of(fz.local))))
        return fz.local.raw;
    if (!L4_IsNilThread(fz.child) && h.raw == fz.child.raw)
        return fz.child.raw;
    return 0;
}

static L4_ThreadId_t random_handler(L4_ThreadId_t dest)
{
    L4_Word_t r = step(&fz.state) % 100;
    L4_ThreadId_t t;
    if (r < 15) return dest;
    if (r < 33) return main_tid;
    if (r < 51) return fz.local;
    if (r < 66) return fz.child;
    if (r < 70) return L4_MyLocalId();
    if (r < 74) { t.raw = utcb_of_slot(slot_of(fz.local)); return t; }
    if (r < 79) return L4_nilthread;
    if (r < 83) return L4_GlobalId(3999, 1);
    if (r < 87) return fz.dead_local;
    if (r < 90) return fz.dead_child;
    if (r < 95) return random_line_id(&fz.state);
    t.raw = step(&fz.state);
    return t;
}

/* One ThreadControl on an interrupt thread id, checked: success exactly when the id names
 * a line, the space specifier is the line, the handler is the line (detach) or a user
 * thread, and there is neither scheduler nor UTCB location; otherwise ErrorCode 2 (not a
 * line, another space specifier, no handler) or 5 (scheduler, UTCB, bad handler). */
static void fuzz_thread_control(L4_ThreadId_t dest, L4_ThreadId_t space, L4_ThreadId_t scheduler,
                                L4_ThreadId_t handler, L4_Word_t utcb)
{
    L4_Word_t live = live_handler(handler);
    L4_Word_t expect = !is_line(dest) || space.raw != dest.raw || L4_IsNilThread(handler) ? 2
                       : !L4_IsNilThread(scheduler) || utcb != ~0UL                      ? 5
                       : handler.raw != dest.raw && live == 0                              ? 5
                                                                                          : 0;
    set_error_code(99);
    L4_Word_t result = L4_ThreadControl(dest, space, scheduler, handler, (void *)utcb);
    L4_Word_t error = L4_ErrorCode();
    if (expect == 0 ? result != 1 : result != 0 || error != expect)
        mismatch("ThreadControl(%#lx, %#lx, %#lx, %#lx, %#lx) gave %lu, ErrorCode %lu; expected %s %lu", dest.raw,
                 space.raw, scheduler.raw, handler.raw, utcb, result, error, expect == 0 ? "success" : "error",
                 expect);
    if (result == 1 && is_line(dest)) {
        fz.handler_of[L4_ThreadNo(dest)] = handler.raw == dest.raw ? 0 : live;
        ++fz.associations;
    }
}

/* One ThreadControl making a user thread in this space, checked: X.2 wants a scheduler
 * that exists (nilthread, or a thread that never or no longer existed: invalid scheduler,
 * 4). A thread it made is deleted again. */
#define FUZZ_NEW_THREAD L4_GlobalId(3996, 1)
static void fuzz_create_thread(L4_Word_t r)
{
    L4_ThreadId_t dest = FUZZ_NEW_THREAD, scheduler = L4_nilthread;
    switch (r % 7) {
    case 0: scheduler = main_tid; break;
    case 1: scheduler = fz.local; break;
    case 2: scheduler = fz.child; break;
    case 3: scheduler = L4_MyLocalId(); break;
    case 4: scheduler = fz.dead_local; break;
    case 5: scheduler = L4_GlobalId(3999, 1); break;
    default: break;
    }
    L4_Word_t time_control;
    if (L4_Schedule(dest, ~0UL, ~0UL, ~0UL, ~0UL, &time_control) != 0)
        return; /* the number is someone's (new_tid came round to it): not this model's */
    L4_Word_t expect = live_handler(scheduler) != 0 ? 0 : 4;
    set_error_code(99);
    L4_Word_t result = L4_ThreadControl(dest, main_tid, scheduler, L4_nilthread, (void *)-1);
    L4_Word_t error = L4_ErrorCode();
    if (expect == 0 ? result != 1 : result != 0 || error != expect)
        mismatch("ThreadControl(%#lx, %#lx, %#lx, nilthread, -1) gave %lu, ErrorCode %lu; expected %s %lu", dest.raw,
                 main_tid.raw, scheduler.raw, result, error, expect == 0 ? "success" : "error", expect);
    if (result == 1)
        (void)L4_ThreadControl(dest, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
}

static void random_thread_control(void)
{
    L4_ThreadId_t dest = random_line_id(&fz.state);
    L4_Word_t r = step(&fz.state);
    if ((r >> 24) % 10 == 0) {
        fuzz_create_thread(r >> 32);
        return;
    }
    L4_ThreadId_t space = dest, scheduler = L4_nilthread;
    L4_Word_t utcb = ~0UL;
    switch (r % 20) {
    case 0: space = L4_nilthread; break;
    case 1: space = main_tid; break;
    case 2: space = random_line_id(&fz.state); break;
    case 3: space = fz.child; break;
    case 4: space.raw = step(&fz.state); break;
    default: break;
    }
    switch ((r >> 8) % 20) {
    case 0: scheduler = main_tid; break;
    case 1: scheduler = dest; break;
    case 2: scheduler.raw = step(&fz.state); break;
    default: break;
    }
    switch ((r >> 16) % 20) {
    case 0: utcb = 0; break;
    case 1: utcb = UTCB_AREA + 40 * UTCB_SIZE; break;
    case 2: utcb = step(&fz.state); break;
    default: break;
    }
    fuzz_thread_control(dest, space, scheduler, random_handler(dest), utcb);
}

/* The main thread receives (zero timeout, or up to a tick): an interrupt of a line it
 * handles (answered, mostly), or a page fault of the handler task; nothing else. */
static void main_receive(void)
{
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(L4_anythread, step(&fz.state) % 8 == 0 ? 1 : 0, &from);
    if (L4_IpcFailed(tag))
        return;
    if (is_page_fault(tag) && from.raw == fz.child.raw) {
        (void)answer_page_fault(from);
        return;
    }
    if (!is_line(from) || !is_interrupt(tag) || fz.handler_of[L4_ThreadNo(from)] != main_tid.raw) {
        ++irq_bad[BY_MAIN];
        irq_bad_from[BY_MAIN] = from.raw;
        irq_bad_tag[BY_MAIN] = tag.raw;
        return;
    }
    ++irq_handled[BY_MAIN];
    if (step(&fz.state) % 4 == 0)
        return;
    load_answer(&fz.state, 0);
    if (L4_IpcFailed(L4_Send_Timeout(from, L4_ZeroTime)))
        mismatch("the handler's answer to %#lx failed (ErrorCode %lu)", from.raw, L4_ErrorCode());
    ++fz.answers;
}

/* The main thread sends to a line id: only the handler's message goes through (an answer,
 * or nothing when nothing is outstanding); anyone else's fails with no partner (2). */
static void main_send(void)
{
    L4_ThreadId_t dest = random_line_id(&fz.state);
    int handler = is_line(dest) && fz.handler_of[L4_ThreadNo(dest)] == main_tid.raw;
    load_answer(&fz.state, 0);
    set_error_code(99);
    L4_MsgTag_t tag = L4_Send_Timeout(dest, L4_ZeroTime);
    L4_Word_t error = L4_ErrorCode();
    if (handler ? L4_IpcFailed(tag) : L4_IpcSucceeded(tag) || error != IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE))
        mismatch("a message to %#lx (%s handler) gave tag %#lx, ErrorCode %lu", dest.raw, handler ? "its" : "not its",
                 tag.raw, error);
}

static void other_calls(void)
{
    L4_ThreadId_t dest = random_line_id(&fz.state);
    L4_Word_t r = step(&fz.state);
    switch (r % 3) {
    case 0: { /* Schedule: a priority, or nothing; no thread that is not a line */
        L4_Word_t time_control;
        L4_Word_t priority = (r >> 8) & 1 ? (r >> 16) % 256 : ~0UL;
        L4_Word_t result = L4_Schedule(dest, ~0UL, ~0UL, priority, ~0UL, &time_control);
        if (!is_line(dest) && result != 0)
            mismatch("Schedule of %#lx, no thread, gave %lu", dest.raw, result);
        break;
    }
    case 1: { /* ExchangeRegisters: an interrupt thread is in no space of ours */
        L4_Word_t control, sp, ip, flags, handle;
        L4_ThreadId_t pager;
        L4_ThreadId_t result = L4_ExchangeRegisters(dest, (r >> 8) & 0x3ff, step(&fz.state) & 0x7ffffffff000UL,
                                                    step(&fz.state) & 0x7ffffffff000UL, step(&fz.state),
                                                    step(&fz.state), main_tid, &control, &sp, &ip, &flags, &handle,
                                                    &pager);
        if (!L4_IsNilThread(result))
            mismatch("ExchangeRegisters of %#lx gave %#lx", dest.raw, result.raw);
        break;
    }
    default: L4_ThreadSwitch(dest); break;
    }
}

/* Deletes a handler thread (of this space, or the task) and makes a new one; the lines it
 * handled lose their handler. */
static void replace_handler(int child)
{
    L4_ThreadId_t *current = child ? &fz.child : &fz.local;
    L4_ThreadId_t *dead = child ? &fz.dead_child : &fz.dead_local;
    if (!L4_IsNilThread(*current)) {
        kill_thread(*current);
        for (int line = 0; line < LINES; ++line)
            if (fz.handler_of[line] == current->raw)
                fz.handler_of[line] = 0;
        *dead = *current;
    }
    *current = child ? spawn_child(child_handler, 0) : spawn(local_handler, 0, 200, sigma0_tid);
}

static void privileged_interrupt_fuzz(void)
{
    for (int i = 0; i < 3; ++i)
        irq_handled[i] = irq_bad[i] = irq_bad_from[i] = irq_bad_tag[i] = 0;
    fz = (struct irq_fuzz){.state = 0xd1b54a32d192ed03UL};
    fz.dead_local = fz.dead_child = L4_GlobalId(3998, 1);
    CHECK(claim_ports(FUZZ_PORTS, FUZZ_PORTS_LOG2) && claim_ports(PIT_CHANNEL0, 2),
          "sigma0 did not give the root task the ports 0x80-0x8f and 0x40-0x43");
    replace_handler(0);
    replace_handler(1);
    CHECK(!L4_IsNilThread(fz.local) && !L4_IsNilThread(fz.child), "no handler threads");
    for (int line = 0; line < LINES; ++line)
        if (line != 2)
            L4_DeassociateInterrupt(line_id((L4_Word_t)line));
    pit_rate(2000);
    for (L4_Word_t i = 0; i < IRQ_FUZZ_OPS; ++i) {
        L4_Word_t r = step(&fz.state) % 100;
        if (r < 40)
            random_thread_control();
        else if (r < 48) {
            L4_ThreadId_t dest = random_line_id(&fz.state);
            fuzz_thread_control(dest, dest, L4_nilthread, dest, ~0UL); /* detach */
        } else if (r < 68)
            main_receive();
        else if (r < 78)
            main_send();
        else if (r < 82) {
            static const L4_Word_t rates[] = {0, 500, 2000, 2000, 8000};
            pit_rate(rates[step(&fz.state) % 5]);
        } else if (r < 92)
            other_calls();
        else if (r < 95)
            replace_handler(0);
        else if (r < 96)
            replace_handler(1);
        else
            sleep_ms(1 + step(&fz.state) % 10);
    }
    pit_rate(0);
    for (L4_Word_t line = 0; line < LINES; ++line) {
        if (line == 2)
            continue;
        fuzz_thread_control(line_id(line), line_id(line), L4_nilthread, line_id(line), ~0UL);
        L4_Word_t time_control;
        (void)L4_Schedule(line_id(line), ~0UL, ~0UL, 255, ~0UL, &time_control);
    }
    /* Nothing from a line may reach the main thread now; the task's faults still come. */
    for (int k = 0; k < 1000; ++k) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = recv_ms(L4_anythread, 2, &from);
        if (L4_IpcFailed(tag))
            break;
        if (is_page_fault(tag) && from.raw == fz.child.raw)
            (void)answer_page_fault(from);
        else {
            ++irq_bad[BY_MAIN];
            irq_bad_from[BY_MAIN] = from.raw;
            irq_bad_tag[BY_MAIN] = tag.raw;
        }
    }
    CHECK(fz.mismatches == 0, "%lu answers of the kernel broke the rules, the first: %s", fz.mismatches,
          fz.first_mismatch);
    for (int i = 0; i < 3; ++i)
        CHECK(irq_bad[i] == 0, "%lu wrong messages reached %s, the last from %#lx with tag %#lx", irq_bad[i],
              i == BY_MAIN ? "the main thread" : i == BY_LOCAL ? "the handler thread" : "the handler task",
              irq_bad_from[i], irq_bad_tag[i]);
    CHECK(irq_handled[BY_MAIN] > 0 && irq_handled[BY_LOCAL] > 0 && irq_handled[BY_CHILD] > 0,
          "interrupts reached the main thread %lu, the handler thread %lu, the handler task %lu times: each should "
          "have got some (%lu associations)",
          irq_handled[BY_MAIN], irq_handled[BY_LOCAL], irq_handled[BY_CHILD], fz.associations);
    /* Every line is detached: the main thread's message to any fails with no partner. */
    for (L4_Word_t line = 0; line < LINES; ++line) {
        L4_LoadMR(0, 0);
        set_error_code(99);
        L4_MsgTag_t tag = L4_Send_Timeout(line_id(line), L4_ZeroTime);
        CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
              "line %lu, detached, took a message from the main thread (tag %#lx, ErrorCode %lu)", line, tag.raw,
              L4_ErrorCode());
    }
    L4_ThreadId_t t = spawn_simple((thread_fn)0, 0);
    CHECK(!L4_IsNilThread(t), "no thread could be made after the fuzzing");
    L4_Fpage_t page = sigma0_still_answers();
    CHECK(!L4_IsNilFpage(page), "sigma0 no longer hands out pages after the fuzzing");
    if (!interrupts_still_work())
        return;
}

static void fuzz_interrupts_test(void)
{
    privileged_interrupt_fuzz();
    quiet_interrupts_and_ports();
}

static const struct systest fuzz_tests[] = {
    {"FUZZ0001", "200000 random system calls (interrupt thread ids and I/O fpages among the arguments) from an " "unprivileged task that owns ports and handles the PIT's line leave the kernel working",
     fuzz_calls_test},
    {"FUZZ0002", "two hostile tasks trading 20000 rounds of random map, grant and string items of memory and I/O " "ports, unmaps, touches and port accesses leave the kernel working; the root task's Flush takes " "every port back",
     fuzz_trades_test},
    {"FUZZ0003", "20000 random privileged ThreadControls on interrupt threads (and some making user threads, which need a " "scheduler), interleaved with interrupts answered or " "not, handler deletions and calls on interrupt threads, follow the rules and leave interrupts working",
     fuzz_interrupts_test},
};
SYSTEST_GROUP(fuzz) = {"fuzz", fuzz_tests, SYSTEST_COUNT(fuzz_tests)};
