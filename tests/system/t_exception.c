/* SPDX-License-Identifier: MIT */
/* EXC: exceptions as IPC to the thread's exception handler. */
#include "systest.h"

/* Faulting instructions at known addresses; each helper returns normally when the
 * handler resumes it at its *_after label. */
extern char exc_ud2_at[], exc_ud2_after[], exc_int3_at[], exc_int3_after[], exc_div_at[], exc_div_after[],
    exc_cli_at[], exc_cli_after[], exc_sys_after[], exc_regs_at[], exc_regs_after[];
void exc_do_ud2(void);
void exc_do_int3(void);
void exc_do_div(void);
void exc_do_cli(void);
void exc_do_bad_syscall(void);
void exc_do_regs(L4_Word_t *out); /* rbx, r12..r15 = 0x11.., 0x12.., ..; ud2; stores them to out[0..4] */
/* Calls partner through the Ipc link at entry with a non-canonical return address in rbx. */
void exc_do_bad_return(L4_Word_t entry, L4_Word_t partner) __attribute__((noreturn));
__asm__(".text\n"
        ".globl exc_do_ud2\n.type exc_do_ud2, @function\nexc_do_ud2:\n"
        ".globl exc_ud2_at\nexc_ud2_at: ud2\n"
        ".globl exc_ud2_after\nexc_ud2_after: ret\n"
        ".globl exc_do_int3\n.type exc_do_int3, @function\nexc_do_int3:\n"
        ".globl exc_int3_at\nexc_int3_at: int3\n"
        ".globl exc_int3_after\nexc_int3_after: ret\n"
        ".globl exc_do_div\n.type exc_do_div, @function\nexc_do_div:\n"
        "    xorl %ecx, %ecx\n    movl $1, %eax\n    xorl %edx, %edx\n"
        ".globl exc_div_at\nexc_div_at: divq %rcx\n"
        ".globl exc_div_after\nexc_div_after: ret\n"
        ".globl exc_do_cli\n.type exc_do_cli, @function\nexc_do_cli:\n"
        ".globl exc_cli_at\nexc_cli_at: cli\n"
        ".globl exc_cli_after\nexc_cli_after: ret\n"
        ".globl exc_do_bad_syscall\n.type exc_do_bad_syscall, @function\nexc_do_bad_syscall:\n"
        "    movl $0x63, %eax\n    syscall\n"
        ".globl exc_sys_after\nexc_sys_after: ret\n"
        ".globl exc_do_bad_return\n.type exc_do_bad_return, @function\nexc_do_bad_return:\n"
        "    movq %rdi, %rax\n    movq %rsi, %rdi\n    xorl %edx, %edx\n"
        "    xorl %r8d, %r8d\n    xorl %r9d, %r9d\n    xorl %r10d, %r10d\n"
        "    movabsq $0x0000800000000000, %rbx\n    jmp *%rax\n"
        ".globl exc_do_regs\n.type exc_do_regs, @function\nexc_do_regs:\n"
        "    pushq %rbx\n    pushq %r12\n    pushq %r13\n    pushq %r14\n    pushq %r15\n    pushq %rdi\n"
        "    movabsq $0x1111111111111111, %rbx\n"
        "    movabsq $0x1212121212121212, %r12\n"
        "    movabsq $0x1313131313131313, %r13\n"
        "    movabsq $0x1414141414141414, %r14\n"
        "    movabsq $0x1515151515151515, %r15\n"
        ".globl exc_regs_at\nexc_regs_at: ud2\n"
        ".globl exc_regs_after\nexc_regs_after:\n"
        "    popq %rax\n"
        "    movq %rbx, 0(%rax)\n    movq %r12, 8(%rax)\n    movq %r13, 16(%rax)\n    movq %r14, 24(%rax)\n"
        "    movq %r15, 32(%rax)\n"
        "    popq %r15\n    popq %r14\n    popq %r13\n    popq %r12\n    popq %rbx\n    ret\n");

static volatile L4_Word_t exc_done;
static L4_Word_t regs_out[5];

enum which { DO_UD2, DO_INT3, DO_DIV, DO_CLI, DO_SYSCALL, DO_REGS, DO_UD2_NO_HANDLER, DO_UD2_BAD_HANDLER, DO_UD2_THEN_FS,
             DO_BAD_RETURN };
static L4_ThreadId_t bad_return_partner;

/* What %fs:0 read after the handler set the FS base (DO_UD2_THEN_FS). */
static volatile L4_Word_t fs_word_read;
static L4_Word_t fs_probe[2] = {0x7e57f5b45e000001UL, 0};

static void exception_thread(L4_Word_t which)
{
    if (which == DO_UD2_NO_HANDLER)
        L4_Set_ExceptionHandler(L4_nilthread);
    else if (which == DO_UD2_BAD_HANDLER)
        L4_Set_ExceptionHandler(L4_GlobalId(3961, 1));
    else
        L4_Set_ExceptionHandler(main_tid);
    switch (which) {
    case DO_INT3: exc_do_int3(); break;
    case DO_DIV: exc_do_div(); break;
    case DO_CLI: exc_do_cli(); break;
    case DO_SYSCALL: exc_do_bad_syscall(); break;
    case DO_REGS: exc_do_regs(regs_out); break;
    case DO_BAD_RETURN:
        exc_do_bad_return((L4_Word_t)kip + *(L4_Word_t *)((L4_Word_t)kip + TERN_KIP_LINK_IPC), bad_return_partner.raw);
    case DO_UD2_THEN_FS: {
        exc_do_ud2();
        L4_Word_t value;
        __asm__ __volatile__("movq %%fs:0, %0" : "=r"(value));
        fs_word_read = value;
        break;
    }
    default: exc_do_ud2(); break;
    }
    exc_done = 1;
    report_to_main(1, 0xd0e, 0, 0);
}

struct exc_msg {
    L4_Word_t tag, from;
    L4_Word_t r[EXC_WORDS + 1];
};

static int exc_receive(L4_ThreadId_t t, struct exc_msg *m)
{
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(t, 1000, &from);
    m->tag = tag.raw;
    m->from = from.raw;
    for (int i = 1; i <= EXC_WORDS; ++i)
        m->r[i] = mr(i);
    if (!is_exception(tag)) {
        fail("no exception message (tag %#lx, ErrorCode %lu)", tag.raw, L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
        return 0;
    }
    return 1;
}

static int exc_reply(L4_ThreadId_t t, const struct exc_msg *m)
{
    load_words(0, EXC_WORDS, &m->r[1]);
    if (L4_IpcFailed(send_ms(t, 500))) {
        fail("exception reply failed with ErrorCode %lu", L4_ErrorCode());
        return 0;
    }
    return 1;
}

static int finished(L4_ThreadId_t t)
{
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    if (!is_label(tag, LABEL_REPORT)) {
        fail("the thread did not continue after the reply (tag %#lx)", tag.raw);
        return 0;
    }
    return 1;
}

static L4_ThreadId_t start(enum which which)
{
    exc_done = 0;
    return spawn_simple(exception_thread, which);
}

static void ud2_message(void)
{
    L4_ThreadId_t t = start(DO_UD2);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_MsgTag_t tag = {.raw = m.tag};
    CHECK(m.from == seen_as(t).raw, "exception message from %#lx, expected %#lx", m.from, seen_as(t).raw);
    CHECK(L4_UntypedWords(tag) == EXC_WORDS && L4_TypedWords(tag) == 0, "tag %#lx, expected u = 22, t = 0", m.tag);
    CHECK(m.r[X_VECTOR] == 6 && m.r[X_ERROR] == 0, "vector %lu error %#lx, expected 6 and 0", m.r[X_VECTOR],
          m.r[X_ERROR]);
    CHECK(m.r[X_RIP] == (L4_Word_t)exc_ud2_at, "rip %#lx, expected the ud2 at %#lx", m.r[X_RIP],
          (L4_Word_t)exc_ud2_at);
    L4_Word_t k = slot_of(t);
    CHECK(m.r[X_RSP] < stack_top_of_slot(k) && m.r[X_RSP] > stack_top_of_slot(k) - STACK_BYTES,
          "rsp %#lx outside the thread's stack", m.r[X_RSP]);
    CHECK((m.r[X_RFLAGS] & 0x202) == 0x202, "rflags %#lx lack IF", m.r[X_RFLAGS]);
}

static void ud2_resume(void)
{
    L4_ThreadId_t t = start(DO_UD2);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    m.r[X_RIP] = (L4_Word_t)exc_ud2_after;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(exc_done, "done flag not set");
}

static void reply_sets_fs_base(void)
{
    fs_word_read = 0;
    L4_ThreadId_t t = start(DO_UD2_THEN_FS);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_Word_t fs = m.r[X_FS_BASE], gs = m.r[X_GS_BASE];
    m.r[X_RIP] = (L4_Word_t)exc_ud2_after;
    m.r[X_FS_BASE] = (L4_Word_t)fs_probe;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(fs == 0, "the FS base of a new thread was %#lx, expected 0", fs);
    CHECK(gs == KIP_AREA + TERN_KIP_UTCB_POINTERS, "the GS base was %#lx, expected the KIP's UTCB pointer %#lx", gs,
          KIP_AREA + TERN_KIP_UTCB_POINTERS);
    CHECK(fs_word_read == fs_probe[0], "%%fs:0 read %#lx after the reply set the FS base, expected %#lx", fs_word_read,
          fs_probe[0]);
}

/* Replies to every call (the partner of DO_BAD_RETURN). */
static void exc_echo(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_Wait(&from);
    for (;;) {
        L4_Set_MsgTag(L4_Niltag);
        L4_ReplyWait(from, &from);
    }
}

/* The return address of an Ipc (rbx) is the caller's to choose: a non-canonical one must
 * become the caller's #GP in user mode, at the KIP stub's jmp, never a sysretq to it (which
 * faults in ring 0 on Intel CPUs and in Bochs). */
static void bad_return_address(void)
{
    bad_return_partner = spawn(exc_echo, 0, 255, sigma0_tid);
    CHECK(!L4_IsNilThread(bad_return_partner), "no partner");
    L4_ThreadId_t t = start(DO_BAD_RETURN);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_Word_t vector = m.r[X_VECTOR], rip = m.r[X_RIP];
    CHECK(vector == 13, "the jump to a non-canonical return address arrived as vector %lu, expected 13 (#GP)", vector);
    /* At the jmp on Intel CPUs and in Bochs; QEMU's TCG reports the target. (Before the
     * kernel returned into the stub, Bochs stopped here with a #GP in ring 0.) */
    CHECK((IN_STUB_PAGE(rip) || rip == 0x0000800000000000UL) &&
              m.r[X_RBX] == 0x0000800000000000UL,
          "at rip %#lx with rbx %#lx, expected the KIP stub's jmp (or its target) and the address given", rip,
          m.r[X_RBX]);
}

static void int3_breakpoint(void)
{
    L4_ThreadId_t t = start(DO_INT3);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_Word_t vector = m.r[X_VECTOR], error = m.r[X_ERROR], rip = m.r[X_RIP];
    m.r[X_RIP] = (L4_Word_t)exc_int3_after;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(vector == 3, "int3 in user mode arrived as vector %lu (error code %#lx), expected 3 (#BP)", vector, error);
    CHECK(rip == (L4_Word_t)exc_int3_after, "rip %#lx, expected %#lx (after the int3)", rip,
          (L4_Word_t)exc_int3_after);
}

static void divide_error(void)
{
    L4_ThreadId_t t = start(DO_DIV);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_Word_t vector = m.r[X_VECTOR], rip = m.r[X_RIP], rcx = m.r[X_RCX];
    m.r[X_RIP] = (L4_Word_t)exc_div_after;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(vector == 0, "vector %lu, expected 0 (#DE)", vector);
    CHECK(rip == (L4_Word_t)exc_div_at, "rip %#lx, expected the div at %#lx", rip, (L4_Word_t)exc_div_at);
    CHECK(rcx == 0, "rcx (the divisor) %#lx, expected 0", rcx);
}

static void registers_delivered(void)
{
    L4_ThreadId_t t = start(DO_REGS);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_Word_t rip = m.r[X_RIP], rbx = m.r[X_RBX], r12 = m.r[X_R12], r13 = m.r[X_R13], r14 = m.r[X_R14],
              r15 = m.r[X_R15], rdi = m.r[X_RDI];
    m.r[X_RIP] = (L4_Word_t)exc_regs_after;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(rip == (L4_Word_t)exc_regs_at, "rip %#lx, expected %#lx", rip, (L4_Word_t)exc_regs_at);
    CHECK(rbx == 0x1111111111111111UL && r12 == 0x1212121212121212UL && r13 == 0x1313131313131313UL &&
              r14 == 0x1414141414141414UL && r15 == 0x1515151515151515UL,
          "rbx %#lx r12 %#lx r13 %#lx r14 %#lx r15 %#lx, expected 0x11.., 0x12.., 0x13.., 0x14.., 0x15..", rbx, r12,
          r13, r14, r15);
    CHECK(rdi == (L4_Word_t)regs_out, "rdi %#lx, expected the argument %#lx", rdi, (L4_Word_t)regs_out);
}

static void reply_sets_registers(void)
{
    L4_ThreadId_t t = start(DO_REGS);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    m.r[X_RIP] = (L4_Word_t)exc_regs_after;
    m.r[X_RBX] = 0xb0b0;
    m.r[X_R12] = 0xc12;
    m.r[X_R13] = 0xc13;
    m.r[X_R14] = 0xc14;
    m.r[X_R15] = 0xc15;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(regs_out[0] == 0xb0b0 && regs_out[1] == 0xc12 && regs_out[2] == 0xc13 && regs_out[3] == 0xc14 &&
              regs_out[4] == 0xc15,
          "after the reply the thread had rbx %#lx r12 %#lx r13 %#lx r14 %#lx r15 %#lx", regs_out[0], regs_out[1],
          regs_out[2], regs_out[3], regs_out[4]);
}

static void short_reply_retries(void)
{
    L4_ThreadId_t t = start(DO_UD2);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    load_msg(0, 0, 0, 0, 0);
    CHECK(L4_IpcSucceeded(send_ms(t, 500)), "empty reply failed with ErrorCode %lu", L4_ErrorCode());
    struct exc_msg again;
    if (!exc_receive(t, &again))
        return;
    CHECK(again.r[X_RIP] == (L4_Word_t)exc_ud2_at, "after an empty reply the next exception is at %#lx, expected the "
          "same ud2 %#lx", again.r[X_RIP], (L4_Word_t)exc_ud2_at);
    again.r[X_RIP] = (L4_Word_t)exc_ud2_after;
    if (!exc_reply(t, &again) || !finished(t))
        return;
}

static void no_handler_halts(void)
{
    L4_ThreadId_t t = start(DO_UD2_NO_HANDLER);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 50, 0);
    CHECK(L4_IpcFailed(tag) && !exc_done, "a thread without exception handler went on after ud2 (tag %#lx)", tag.raw);
}

static void kernel_rip_halts(void)
{
    L4_ThreadId_t t = start(DO_UD2);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    m.r[X_RIP] = 0xffffffff80001000UL;
    if (!exc_reply(t, &m))
        return;
    L4_MsgTag_t tag = recv_ms(t, 50, 0);
    CHECK(L4_IpcFailed(tag) && !exc_done, "the thread went on after a reply with a kernel rip (tag %#lx)", tag.raw);
}

static void unknown_syscall(void)
{
    L4_ThreadId_t t = start(DO_SYSCALL);
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_Word_t vector = m.r[X_VECTOR], rip = m.r[X_RIP], rax = m.r[X_RAX];
    m.r[X_RIP] = (L4_Word_t)exc_sys_after;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(vector == 6, "vector %lu, expected 6 (invalid opcode)", vector);
    CHECK(rip == (L4_Word_t)exc_sys_after, "rip %#lx, expected %#lx (after the syscall)", rip,
          (L4_Word_t)exc_sys_after);
    CHECK(rax == 0x63, "rax %#lx, expected the system-call number 0x63", rax);
}

static void privileged_instruction(void)
{
    L4_ThreadId_t t = start(DO_CLI);
    CHECK(!L4_IsNilThread(t), "no thread");
    if (suite_in_ring0()) {
        /* What a kernel-mode task trades (docs/kernel.md): cli is allowed in ring 0. The
         * thread runs on to its report, whose system call turns interrupts back on. */
        L4_MsgTag_t tag = recv_ms(t, 1000, 0);
        CHECK(is_label(tag, LABEL_REPORT) && exc_done, "in ring 0, cli did not simply run (tag %#lx)", tag.raw);
        return;
    }
    struct exc_msg m;
    if (!exc_receive(t, &m))
        return;
    L4_Word_t vector = m.r[X_VECTOR], rip = m.r[X_RIP], error = m.r[X_ERROR];
    m.r[X_RIP] = (L4_Word_t)exc_cli_after;
    if (!exc_reply(t, &m) || !finished(t))
        return;
    CHECK(vector == 13 && error == 0, "vector %lu error %#lx, expected 13 (#GP) and 0", vector, error);
    CHECK(rip == (L4_Word_t)exc_cli_at, "rip %#lx, expected the cli at %#lx", rip, (L4_Word_t)exc_cli_at);
}

static void child_ud2(void)
{
    L4_Set_ExceptionHandler(main_tid);
    exc_do_ud2();
    report_to_main(1, 0xc41d, 0, 0);
    park();
}

static void other_space_exception(void)
{
    L4_ThreadId_t child = spawn_child(child_ud2, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_child(child, 2000, &from);
    CHECK(is_exception(tag), "no exception message from the child (tag %#lx)", tag.raw);
    CHECK(from.raw == child.raw, "from %#lx, expected %#lx", from.raw, child.raw);
    CHECK(mr(X_VECTOR) == 6 && mr(X_RIP) == (L4_Word_t)exc_ud2_at, "vector %lu rip %#lx", mr(X_VECTOR), mr(X_RIP));
    CHECK(L4_IpcSucceeded(reply_exception(child, (L4_Word_t)exc_ud2_after, mr(X_RAX))), "reply failed");
    tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == 0xc41d, "the child did not continue (tag %#lx)", tag.raw);
}

static void missing_handler_halts(void)
{
    L4_ThreadId_t t = start(DO_UD2_BAD_HANDLER);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 50, 0);
    CHECK(L4_IpcFailed(tag) && !exc_done, "a thread whose handler does not exist went on after ud2");
}

static const struct systest exception_tests[] = {
    {"EXC0001", "ud2 sends the handler label -5 << 4 with 22 words (rip at the ud2, vector 6, rsp, rflags)",
     ud2_message},
    {"EXC0002", "the handler's 22-word reply with rip past the ud2 resumes the thread", ud2_resume},
    {"EXC0003", "int3 in user mode arrives as vector 3 with rip after the int3", int3_breakpoint},
    {"EXC0020", "the exception message carries FS (0) and GS (the KIP's UTCB pointer) bases; a 22-word reply sets FS",
     reply_sets_fs_base},
    {"EXC0004", "divide by zero arrives as vector 0 at the div and resumes where the reply says", divide_error},
    {"EXC0005", "the exception message carries the thread's general registers", registers_delivered},
    {"EXC0006", "the handler's reply sets the thread's general registers", reply_sets_registers},
    {"EXC0007", "an empty reply leaves the registers, so the instruction faults again", short_reply_retries},
    {"EXC0008", "a thread without exception handler stops at its exception", no_handler_halts},
    {"EXC0009", "a reply with a kernel rip stops the thread instead of resuming it", kernel_rip_halts},
    {"EXC0010", "an unknown system-call number arrives as invalid opcode (6) after the syscall", unknown_syscall},
    {"EXC0011", "a privileged instruction (cli) arrives as general protection (13) at the instruction (in ring 0 "
     "it runs)",
     privileged_instruction},
    {"EXC0012", "an exception in another space reaches its handler in the root task by global id",
     other_space_exception},
    {"EXC0013", "a thread whose exception handler does not exist stops at its exception", missing_handler_halts},
    {"EXC0023", "an Ipc whose return address (rbx) is not canonical ends in the caller's #GP at its KIP stub",
     bad_return_address},
};
SYSTEST_GROUP(exception) = {"exception", exception_tests, SYSTEST_COUNT(exception_tests)};
