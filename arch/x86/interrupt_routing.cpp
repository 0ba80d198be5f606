// SPDX-License-Identifier: MIT
#include "interrupt_routing.hpp"

Interrupt_routing Interrupt_routing::with_overrides(Phys_addr io_apic, const Override *overrides, unsigned count)
{
    Interrupt_routing routing;
    routing.io_apic = io_apic;
    for (unsigned line = 0; line < lines; ++line) {
        routing.pin[line] = static_cast<uint8_t>(line);
        routing.is_level[line] = line >= isa_lines;
        routing.is_active_low[line] = line >= isa_lines;
    }
    // A pin an ISA IRQ is moved to is taken: the line of that number has none, unless it
    // is moved elsewhere itself (then its own entry below gives it its pin). One pin never
    // serves two lines, so an identity override of a taken pin gives none either.
    bool taken[lines] = {};
    for (unsigned i = 0; i < count; ++i)
        if (overrides[i].isa_irq < isa_lines && overrides[i].pin < lines && overrides[i].pin != overrides[i].isa_irq) {
            routing.pin[overrides[i].pin] = no_pin;
            taken[overrides[i].pin] = true;
        }
    for (unsigned i = 0; i < count; ++i) {
        const Override &o = overrides[i];
        if (o.isa_irq >= isa_lines)
            continue;
        bool usable = o.pin < lines && !(o.pin == o.isa_irq && taken[o.pin]);
        routing.pin[o.isa_irq] = usable ? static_cast<uint8_t>(o.pin) : no_pin;
        // 0 means the ISA bus's default: edge-triggered, active high.
        routing.is_level[o.isa_irq] = (o.flags & level) == level;
        routing.is_active_low[o.isa_irq] = (o.flags & active_low) == active_low;
    }
    return routing;
}

Interrupt_routing Interrupt_routing::pc_default()
{
    constexpr uint16_t pci_link = level | active_high;
    constexpr Override board[] = {{0, 2, 0}, {5, 5, pci_link}, {9, 9, pci_link}, {10, 10, pci_link}, {11, 11, pci_link}};
    return with_overrides(0xfec00000, board, sizeof board / sizeof board[0]);
}
