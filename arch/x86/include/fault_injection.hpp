// SPDX-License-Identifier: MIT
// Deliberate kernel faults, chosen with the boot option fault=KIND. They prove that the
// exception path reports and stops, that the kernel page tables enforce what they claim,
// and that the test harness can fail. Kinds:
//   null            read address 0
//   write-text      write to kernel text
//   exec-data       jump into kernel data
//   read-identity   read the kernel's physical address through the (removed) identity map
//   stack-overflow  recurse into the boot stack's guard page (a double fault on its IST stack)
//   invalid-opcode  ud2
//   divide          divide by zero
//   breakpoint      int3
//   panic           call panic()
//   thread-stack-overflow  clear the canary at the low end of the current thread's kernel
//                   stack, as a push past it would, and switch threads (Thread::check_stack)
#pragma once

class Fault_injection {
public:
    // Returns false for an unknown kind; a known kind does not return.
    static bool trigger(const char *kind);
};
