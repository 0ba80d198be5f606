/* SPDX-License-Identifier: MIT */
/* FUZZ: a hostile, unprivileged task calls every system call with random arguments and
 * random message registers. The kernel must answer each call without crashing, hanging or
 * corrupting anything: afterwards the task still reports, and the rest of the system works.
 * Every IPC uses zero timeouts so the task never blocks for long. A small first step
 * towards the roadmap's millions of random calls. */
#include "systest.h"

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

/* Mostly plausible values (small numbers, thread ids, fpages, addresses), sometimes anything. */
static L4_Word_t random_argument(void)
{
    L4_Word_t r = next_random();
    switch (r % 8) {
    case 0: return 0;
    case 1: return ~0UL;
    case 2: return L4_GlobalId((L4_Word_t)(next_random() % 5000), (L4_Word_t)(next_random() % 4 + 1)).raw;
    case 3: return main_tid.raw;
    case 4: return next_random() & 0x7ffffffff000UL;          /* a user address */
    case 5: return L4_FpageLog2(next_random() & 0x7fffffff000UL, (int)(next_random() % 40 + 12)).raw | (r & 7);
    case 6: return next_random() & 0xffff;
    default: return next_random();
    }
}

static L4_Word_t kip_entry(L4_Word_t link)
{
    L4_Word_t base = (L4_Word_t)kip;
    return base + *(L4_Word_t *)(base + link);
}

static void fuzz_main(void)
{
    L4_Word_t result, out1, out2, out3, out4, out5, out6;
    const L4_Word_t zero_timeouts = (L4_Word_t)0x0400 << 16 | 0x0400;
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
                                    random_argument(), random_argument(), random_argument(), &result, &out1);
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

static void random_calls_do_no_harm(void)
{
    fuzz_calls_made = 0;
    /* The task's random sends reach this thread while it serves the task: accept no map
     * items meanwhile, or they would (legitimately) replace this space's own pages. */
    L4_Word_t *utcb = my_utcb();
    L4_Word_t acceptor = utcb[TERN_UTCB_BR / 8];
    utcb[TERN_UTCB_BR / 8] = 0;
    L4_ThreadId_t child = spawn_child(fuzz_main, 0);
    CHECK(!L4_IsNilThread(child), "no fuzzing task");
    L4_MsgTag_t tag = L4_Niltag;
    L4_ThreadId_t from = L4_nilthread;
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
    L4_Word_t time_control;
    L4_Word_t state = L4_Schedule(child, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == FUZZ_MAGIC,
          "the fuzzing task did not finish: %lu of %u calls made (tag %#lx, its state %lu, last fault at %#lx)",
          fuzz_calls_made, FUZZ_CALLS, tag.raw, state,
          fault_log_count > 0 ? fault_log[(fault_log_count - 1) % FAULT_LOG].address : 0);
    CHECK(mr(2) == FUZZ_CALLS, "the task reports %lu calls, expected %u", mr(2), FUZZ_CALLS);
    /* The system still works: a new thread answers, sigma0 still answers. */
    L4_ThreadId_t t = spawn_simple((thread_fn)0, 0);
    CHECK(!L4_IsNilThread(t), "no thread could be made after the fuzzing");
    L4_Fpage_t page = L4_Sigma0_GetAny(sigma0_tid, 12, L4_CompleteAddressSpace);
    CHECK(!L4_IsNilFpage(page), "sigma0 no longer hands out pages after the fuzzing");
}

void fuzz_tests(void)
{
    run_test("FUZZ0001", "200000 random system calls from an unprivileged task leave the kernel working",
             random_calls_do_no_harm);
}
