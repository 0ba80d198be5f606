// SPDX-License-Identifier: MIT
// The network server (module "net", docs/network.md): lwIP over the network card's driver
// (module "nic", found by name), serving sockets to clients such as the Linux personality
// (<l4/tern/net.h>). Its arguments, from the boot configuration: ip=A.B.C.D/BITS and
// gateway=A.B.C.D for a static address, or dhcp (the default: QEMU's user network answers).
// It registers the name "net" once its interface is up, and reports what ARP says of the
// gateway: the first frames through driver and server.
#include <l4/kip.h>
#include <l4/tern/names.hpp>
#include <l4/thread.h>
#include <stdio.h>
#include <string.h>

#include "net_server.hpp"
#include "nic_link.hpp"
#include "task.hpp"

extern "C" {
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
}

namespace {

Nic_link link;
struct netif interface;

err_t link_output(struct netif *, struct pbuf *p) { return link.transmit(p) ? ERR_OK : ERR_MEM; }

err_t interface_init(struct netif *netif)
{
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->hwaddr_len = 6;
    memcpy(netif->hwaddr, link.mac(), 6);
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    netif->linkoutput = link_output;
    netif->output = etharp_output;
    return ERR_OK;
}

// "A.B.C.D" at text: the address as sockaddr_in holds it; false when it is not one.
bool parse_address(const char *&text, ip4_addr_t &address)
{
    uint32_t bytes[4];
    for (int i = 0; i < 4; ++i) {
        if (*text < '0' || *text > '9')
            return false;
        uint32_t value = 0;
        while (*text >= '0' && *text <= '9' && value <= 255)
            value = value * 10 + static_cast<uint32_t>(*text++ - '0');
        if (value > 255 || (i < 3 && *text++ != '.'))
            return false;
        bytes[i] = value;
    }
    IP4_ADDR(&address, bytes[0], bytes[1], bytes[2], bytes[3]);
    return true;
}

struct Settings {
    bool dhcp = true;
    ip4_addr_t address{}, mask{}, gateway{};
};

bool parse_settings(const char *args, Settings &settings)
{
    for (const char *at = args; *at != '\0';) {
        while (*at == ' ')
            ++at;
        if (*at == '\0')
            break;
        if (strncmp(at, "dhcp", 4) == 0 && (at[4] == ' ' || at[4] == '\0')) {
            settings.dhcp = true;
            at += 4;
        } else if (strncmp(at, "ip=", 3) == 0) {
            at += 3;
            if (!parse_address(at, settings.address) || *at++ != '/')
                return false;
            unsigned bits = 0;
            while (*at >= '0' && *at <= '9' && bits <= 32)
                bits = bits * 10 + static_cast<unsigned>(*at++ - '0');
            if (bits < 1 || bits > 32)
                return false;
            ip4_addr_set_u32(&settings.mask, lwip_htonl(bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits)));
            settings.dhcp = false;
        } else if (strncmp(at, "gateway=", 8) == 0) {
            at += 8;
            if (!parse_address(at, settings.gateway))
                return false;
        } else {
            return false;
        }
        if (*at != ' ' && *at != '\0')
            return false;
    }
    return true;
}

// The address (DHCP's or static), then what ARP says of a neighbour (the gateway, or
// without one the DHCP server: QEMU's restricted user network names no gateway), each
// reported once: polled with lwIP's timers.
void report(void *)
{
    static bool reported_address = false;
    static ip4_addr_t neighbour;
    if (!reported_address && !ip4_addr_isany_val(*netif_ip4_addr(&interface))) {
        bool dhcp = dhcp_supplied_address(&interface);
        printf("net: %s, address %s", dhcp ? "DHCP" : "static", ip4addr_ntoa(netif_ip4_addr(&interface)));
        printf(" mask %s", ip4addr_ntoa(netif_ip4_netmask(&interface)));
        const ip4_addr_t *gateway = netif_ip4_gw(&interface);
        printf(" gateway %s\n", ip4_addr_isany_val(*gateway) ? "none" : ip4addr_ntoa(gateway));
        neighbour = *gateway;
        if (ip4_addr_isany_val(neighbour) && dhcp)
            neighbour = *ip_2_ip4(&netif_dhcp_data(&interface)->server_ip_addr);
        reported_address = true;
        if (ip4_addr_isany_val(neighbour))
            return;
        (void)etharp_request(&interface, &neighbour);
    }
    struct eth_addr *mac;
    const ip4_addr_t *known;
    if (reported_address && etharp_find_addr(&interface, &neighbour, &mac, &known) >= 0) {
        const uint8_t *m = mac->addr;
        printf("net: %s is at %02x:%02x:%02x:%02x:%02x:%02x (ARP; %lu frames in, %lu out)\n", ip4addr_ntoa(&neighbour),
               m[0], m[1], m[2], m[3], m[4], m[5], static_cast<unsigned long>(link.frames_in),
               static_cast<unsigned long>(link.frames_out));
        return;
    }
    sys_timeout(100, report, nullptr);
}

}  // namespace

extern "C" {
u32_t sys_now(void) { return static_cast<u32_t>(L4_SystemClock().raw / 1000); }

unsigned int tern_lwip_random(void)
{
    static uint64_t state = 0;
    uint64_t z = (state += 0x9e3779b97f4a7c15 + L4_SystemClock().raw);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return static_cast<unsigned int>(z ^ (z >> 31));
}

void tern_lwip_assert_failed(const char *message, const char *file, int line)
{
    printf("net: lwIP assertion \"%s\" failed at %s:%d\n", message, file, line);
    task::exit(1);
}
}

int main()
{
    Settings settings;
    if (!parse_settings(task::args(), settings)) {
        printf("net: bad arguments \"%s\" (ip=A.B.C.D/BITS gateway=A.B.C.D, or dhcp)\n", task::args());
        return 1;
    }
    L4_ThreadId_t driver;
    if (tern::names::lookup("nic", TERN_NAMES_WAIT, &driver) != tern::Status::ok || !link.attach(driver)) {
        printf("net: no network card driver: no network\n");
        return 1;
    }
    lwip_init();
    if (struct netif *loopback = netif_find("lo0"); loopback != nullptr)
        NETIF_SET_CHECKSUM_CTRL(loopback, NETIF_CHECKSUM_DISABLE_ALL);
    ip4_addr_t none{};
    if (netif_add(&interface, settings.dhcp ? &none : &settings.address, settings.dhcp ? &none : &settings.mask,
                  settings.dhcp ? &none : &settings.gateway, nullptr, interface_init, ethernet_input) == nullptr) {
        printf("net: lwIP refused the interface\n");
        return 1;
    }
    netif_set_default(&interface);
    netif_set_up(&interface);
    if (settings.dhcp && dhcp_start(&interface) != ERR_OK) {
        printf("net: DHCP did not start\n");
        return 1;
    }
    sys_timeout(100, report, nullptr);
    static Net_server server(link, &interface);
    if (tern::names::register_name("net", L4_Myself()) != tern::Status::ok)
        printf("net: the name \"net\" is taken: clients will not find this server\n");
    server.run();
}
