/* SPDX-License-Identifier: MIT */
/* ABI: docs/abi.md promises that a system call changes only its output registers and
 * rcx, r11 (clobbered by syscall); "every other register that is not an output is
 * preserved". These tests load every general register with a known value, call the
 * KIP stub and compare all registers afterwards. */
#include "systest.h"

enum { R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15, R_COUNT };

static const char *const reg_names[R_COUNT] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                               "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* abi_call(entry, in, out): loads rax..r15 from in[], calls entry, stores them to out[].
 * abi_ipc_call: the same for Ipc's link, which is jumped to with the return address in rbx
 * (so rbx is not loaded from in[]). */
void abi_call(L4_Word_t entry, const L4_Word_t *in, L4_Word_t *out);
void abi_ipc_call(L4_Word_t entry, const L4_Word_t *in, L4_Word_t *out);
void abi_kernel_interface(void);
__asm__(".text\n"
        ".globl abi_call\n.type abi_call, @function\nabi_call:\n"
        "    pushq %rbx\n    pushq %rbp\n    pushq %r12\n    pushq %r13\n    pushq %r14\n    pushq %r15\n"
        "    pushq %rdx\n"         /* out */
        "    pushq %rdi\n"         /* entry */
        "    movq %rsi, %r11\n"
        "    movq 0(%r11), %rax\n    movq 8(%r11), %rbx\n    movq 16(%r11), %rcx\n    movq 24(%r11), %rdx\n"
        "    movq 32(%r11), %rsi\n    movq 40(%r11), %rdi\n    movq 48(%r11), %rbp\n    movq 56(%r11), %r8\n"
        "    movq 64(%r11), %r9\n    movq 72(%r11), %r10\n    movq 88(%r11), %r12\n    movq 96(%r11), %r13\n"
        "    movq 104(%r11), %r14\n    movq 112(%r11), %r15\n    movq 80(%r11), %r11\n"
        "    subq $128, %rsp\n"
        "    call *128(%rsp)\n"
        "    addq $128, %rsp\n"
        "    pushq %r11\n"
        "    movq 16(%rsp), %r11\n" /* out */
        "    movq %rax, 0(%r11)\n    movq %rbx, 8(%r11)\n    movq %rcx, 16(%r11)\n    movq %rdx, 24(%r11)\n"
        "    movq %rsi, 32(%r11)\n    movq %rdi, 40(%r11)\n    movq %rbp, 48(%r11)\n    movq %r8, 56(%r11)\n"
        "    movq %r9, 64(%r11)\n    movq %r10, 72(%r11)\n    movq %r12, 88(%r11)\n    movq %r13, 96(%r11)\n"
        "    movq %r14, 104(%r11)\n    movq %r15, 112(%r11)\n"
        "    popq %rax\n    movq %rax, 80(%r11)\n"
        "    addq $16, %rsp\n"
        "    popq %r15\n    popq %r14\n    popq %r13\n    popq %r12\n    popq %rbp\n    popq %rbx\n"
        "    ret\n"
        ".size abi_call, . - abi_call\n"
        ".globl abi_ipc_call\n.type abi_ipc_call, @function\nabi_ipc_call:\n"
        "    pushq %rbx\n    pushq %rbp\n    pushq %r12\n    pushq %r13\n    pushq %r14\n    pushq %r15\n"
        "    pushq %rdx\n"         /* out */
        "    pushq %rdi\n"         /* entry */
        "    movq %rsi, %r11\n"
        "    movq 0(%r11), %rax\n    movq 8(%r11), %rbx\n    movq 16(%r11), %rcx\n    movq 24(%r11), %rdx\n"
        "    movq 32(%r11), %rsi\n    movq 40(%r11), %rdi\n    movq 48(%r11), %rbp\n    movq 56(%r11), %r8\n"
        "    movq 64(%r11), %r9\n    movq 72(%r11), %r10\n    movq 88(%r11), %r12\n    movq 96(%r11), %r13\n"
        "    movq 104(%r11), %r14\n    movq 112(%r11), %r15\n    movq 80(%r11), %r11\n"
        "    subq $128, %rsp\n"
        "    leaq 1f(%rip), %rbx\n"  /* Ipc's link is jumped to, the return address in rbx */
        "    jmp *128(%rsp)\n"
        "1:  addq $128, %rsp\n"
        "    pushq %r11\n"
        "    movq 16(%rsp), %r11\n" /* out */
        "    movq %rax, 0(%r11)\n    movq %rbx, 8(%r11)\n    movq %rcx, 16(%r11)\n    movq %rdx, 24(%r11)\n"
        "    movq %rsi, 32(%r11)\n    movq %rdi, 40(%r11)\n    movq %rbp, 48(%r11)\n    movq %r8, 56(%r11)\n"
        "    movq %r9, 64(%r11)\n    movq %r10, 72(%r11)\n    movq %r12, 88(%r11)\n    movq %r13, 96(%r11)\n"
        "    movq %r14, 104(%r11)\n    movq %r15, 112(%r11)\n"
        "    popq %rax\n    movq %rax, 80(%r11)\n"
        "    addq $16, %rsp\n"
        "    popq %r15\n    popq %r14\n    popq %r13\n    popq %r12\n    popq %rbp\n    popq %rbx\n"
        "    ret\n"
        ".size abi_ipc_call, . - abi_ipc_call\n"
        ".globl abi_kernel_interface\n.type abi_kernel_interface, @function\nabi_kernel_interface:\n"
        "    lock; nop\n    ret\n"
        ".size abi_kernel_interface, . - abi_kernel_interface\n");

static L4_Word_t link_entry(L4_Word_t link) { return (L4_Word_t)kip + *(L4_Word_t *)((L4_Word_t)kip + link); }

/* Calls entry with the given argument registers (others get marker values) and checks
 * that every register outside `changed` (a bit mask of R_*) kept its value. */
static void check_preserved(L4_Word_t entry, const L4_Word_t *args, const int *arg_regs, int nargs,
                            unsigned changed)
{
    L4_Word_t in[R_COUNT], out[R_COUNT];
    for (int i = 0; i < R_COUNT; ++i)
        in[i] = 0x5a5a000000000000UL | ((L4_Word_t)i << 8) | 0x3c;
    for (int i = 0; i < nargs; ++i)
        in[arg_regs[i]] = args[i];
    changed |= 1u << R_RAX | 1u << R_RCX | 1u << R_R11; /* number, and syscall's own clobbers */
    abi_call(entry, in, out);
    for (int i = 0; i < R_COUNT; ++i)
        CHECK((changed & (1u << i)) != 0 || out[i] == in[i], "%s changed from %#lx to %#lx", reg_names[i], in[i],
              out[i]);
}

#define BIT(r) (1u << (r))

/* Ipc and Lipc preserve rsp and rbp (docs/abi.md): every other register but the outputs
 * (rax r8 r9 r10), rcx and r11 (syscall's own: the caller's rip and rflags) and rbx (the
 * return address in) comes back holding the caller's own value or zero, never anything else. */
static void check_ipc_registers(const L4_Word_t *args, const int *arg_regs, int nargs)
{
    L4_Word_t in[R_COUNT], out[R_COUNT];
    for (int i = 0; i < R_COUNT; ++i)
        in[i] = 0x5a5a000000000000UL | ((L4_Word_t)i << 8) | 0x3c;
    for (int i = 0; i < nargs; ++i)
        in[arg_regs[i]] = args[i];
    unsigned outputs = BIT(R_RAX) | BIT(R_R8) | BIT(R_R9) | BIT(R_R10) | BIT(R_RCX) | BIT(R_R11) | BIT(R_RBX);
    abi_ipc_call(link_entry(TERN_KIP_LINK_IPC), in, out);
    for (int i = 0; i < R_COUNT; ++i)
        CHECK((outputs & (1u << i)) != 0 || out[i] == in[i] || out[i] == 0, "%s changed from %#lx to %#lx",
              reg_names[i], in[i], out[i]);
    CHECK(out[R_RBP] == in[R_RBP], "rbp changed from %#lx to %#lx", in[R_RBP], out[R_RBP]);
}

static void abi_system_clock(void)
{
    check_preserved(link_entry(TERN_KIP_LINK_SYSTEM_CLOCK), 0, 0, 0, 0);
}

static void abi_ipc(void)
{
    /* Receive from sigma0 with zero timeout: fails at once with a timeout. */
    L4_Word_t args[] = {0, sigma0_tid.raw, L4_Timeouts(L4_Never, L4_ZeroTime)};
    int regs[] = {R_RDI, R_RSI, R_RDX};
    check_ipc_registers(args, regs, 3);
}

static void abi_ipc_success(void)
{
    /* Call sigma0 with a malformed request of its protocol (no words): a full send and a
     * receive of its refusal. */
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(WINDOW(61), 12)));
    L4_Word_t args[] = {sigma0_tid.raw, sigma0_tid.raw, L4_Timeouts(ms_time(1000), ms_time(1000)), SIGMA0_LABEL << 16};
    int regs[] = {R_RDI, R_RSI, R_RDX, R_R8};
    check_ipc_registers(args, regs, 4);
}

static void abi_unmap(void)
{
    L4_LoadMR(0, L4_FpageLog2(WINDOW(60), 12).raw);
    L4_Word_t args[] = {0x40};
    int regs[] = {R_RDI};
    check_preserved(link_entry(TERN_KIP_LINK_UNMAP), args, regs, 1, 0);
}

static void abi_exchange_registers(void)
{
    L4_Word_t args[] = {main_tid.raw, 0};
    int regs[] = {R_RDI, R_RSI};
    check_preserved(link_entry(TERN_KIP_LINK_EXCHANGE_REGISTERS), args, regs, 2,
                    BIT(R_RSI) | BIT(R_RDX) | BIT(R_R10) | BIT(R_R8) | BIT(R_R9) | BIT(R_R12));
}

static void abi_schedule(void)
{
    L4_Word_t args[] = {main_tid.raw, ~0UL, ~0UL, ~0UL, ~0UL};
    int regs[] = {R_RDI, R_RSI, R_RDX, R_R10, R_R8};
    check_preserved(link_entry(TERN_KIP_LINK_SCHEDULE), args, regs, 5, BIT(R_RSI) | BIT(R_RDX));
}

static void abi_thread_control(void)
{
    L4_Word_t args[] = {0, main_tid.raw, main_tid.raw, 0, ~0UL}; /* nil dest: fails */
    int regs[] = {R_RDI, R_RSI, R_RDX, R_R10, R_R8};
    check_preserved(link_entry(TERN_KIP_LINK_THREAD_CONTROL), args, regs, 5, 0);
}

static void abi_space_control(void)
{
    L4_Word_t args[] = {L4_GlobalId(3950, 1).raw, 0, 0, 0, 0}; /* nonexistent: fails */
    int regs[] = {R_RDI, R_RSI, R_RDX, R_R10, R_R8};
    check_preserved(link_entry(TERN_KIP_LINK_SPACE_CONTROL), args, regs, 5, BIT(R_RSI));
}

static void abi_thread_switch(void)
{
    L4_Word_t args[] = {0};
    int regs[] = {R_RDI};
    check_preserved(link_entry(TERN_KIP_LINK_THREAD_SWITCH), args, regs, 1, 0);
}

static void abi_processor_memory_control(void)
{
    L4_Word_t args[] = {0, 0, 0, 0, 0};
    int regs[] = {R_RDI, R_RSI, R_RDX, R_R10, R_R8};
    check_preserved(link_entry(TERN_KIP_LINK_PROCESSOR_CONTROL), args, regs, 5, 0);
    if (failed_now())
        return;
    L4_LoadMR(0, L4_FpageLog2(WINDOW(60), 12).raw);
    check_preserved(link_entry(TERN_KIP_LINK_MEMORY_CONTROL), args, regs, 5, 0);
}

static void abi_kdb_output(void)
{
    L4_Word_t args[] = {0};
    int regs[] = {R_RDI};
    check_preserved(link_entry(TERN_KIP_LINK_ARCH0), args, regs, 1, 0);
}

static void abi_kernel_interface_regs(void)
{
    L4_Word_t in[R_COUNT], out[R_COUNT];
    for (int i = 0; i < R_COUNT; ++i)
        in[i] = 0x6b6b000000000000UL | ((L4_Word_t)i << 8);
    abi_call((L4_Word_t)abi_kernel_interface, in, out);
    unsigned changed = BIT(R_RAX) | BIT(R_RCX) | BIT(R_RDX) | BIT(R_RSI);
    for (int i = 0; i < R_COUNT; ++i)
        CHECK((changed & (1u << i)) != 0 || out[i] == in[i], "%s changed from %#lx to %#lx", reg_names[i], in[i],
              out[i]);
    CHECK(out[R_RAX] == KIP_AREA, "KernelInterface returned rax %#lx", out[R_RAX]);
}

static const struct systest abi_tests[] = {
    {"ABI0001", "SystemClock preserves every register but rax, rcx and r11", abi_system_clock},
    {"ABI0002", "a failing Ipc keeps rbp, leaves every register but its outputs (rax r8 r9 r10) as it was or zero", abi_ipc},
    {"ABI0003", "a Call keeps rbp, leaves every register but its outputs (rax r8 r9 r10) as it was or zero", abi_ipc_success},
    {"ABI0004", "Unmap preserves every register but rax, rcx and r11 (its MRs are in the UTCB)", abi_unmap},
    {"ABI0005", "ExchangeRegisters preserves every register that is not one of its outputs", abi_exchange_registers},
    {"ABI0006", "Schedule preserves every register but rax, rsi, rdx (Tern's time used), rcx and r11", abi_schedule},
    {"ABI0007", "ThreadControl preserves every register but rax, rcx and r11", abi_thread_control},
    {"ABI0008", "SpaceControl preserves every register but rax, rsi, rcx and r11", abi_space_control},
    {"ABI0009", "ThreadSwitch preserves every register but rax, rcx and r11", abi_thread_switch},
    {"ABI0010", "ProcessorControl and MemoryControl preserve every register but rax, rcx and r11",
     abi_processor_memory_control},
    {"ABI0011", "kdb_output preserves every register but rax, rcx and r11", abi_kdb_output},
    {"ABI0012", "KernelInterface (lock; nop) changes only rax, rcx, rdx and rsi", abi_kernel_interface_regs},
};
SYSTEST_GROUP(abi) = {"abi", abi_tests, SYSTEST_COUNT(abi_tests)};
