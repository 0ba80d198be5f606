// SPDX-License-Identifier: MIT
// lwIP (Debian's, fetched into third_party/lwip) with Tern's port (servers/net/lwip_port):
// an Ethernet interface at 10.0.2.15 answers an ARP request, and an ICMP echo request (after
// its own ARP request for the peer) with frames a real peer would accept, and drops a truncated and a corrupted frame, counting
// them. The network server's stack, before the server (docs/network.md).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "lwip_once.hpp"

extern "C" {
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
}

namespace {

std::vector<std::vector<uint8_t>> sent;  // the frames the stack gave the interface
bool assertion_failed = false;

err_t capture(struct netif *, struct pbuf *p)
{
    std::vector<uint8_t> frame(p->tot_len);
    pbuf_copy_partial(p, frame.data(), p->tot_len, 0);
    sent.push_back(frame);
    return ERR_OK;
}

const uint8_t own_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
const uint8_t peer_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
const uint8_t own_ip[4] = {10, 0, 2, 15}, peer_ip[4] = {10, 0, 2, 2};

err_t interface_init(struct netif *netif)
{
    netif->hwaddr_len = 6;
    std::memcpy(netif->hwaddr, own_mac, 6);
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    netif->linkoutput = capture;
    netif->output = etharp_output;
    return ERR_OK;
}

uint16_t checksum(const uint8_t *bytes, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += uint32_t{bytes[i]} << 8 | bytes[i + 1];
    if (n % 2 != 0)
        sum += uint32_t{bytes[n - 1]} << 8;
    while (sum >> 16 != 0)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

void put16(uint8_t *at, uint16_t value)
{
    at[0] = static_cast<uint8_t>(value >> 8);
    at[1] = static_cast<uint8_t>(value);
}

class LwipStack : public ::testing::Test {
protected:
    static void SetUpTestSuite() { lwip_init_once(); }
    void SetUp() override
    {
        sent.clear();
        ip4_addr_t address, mask, gateway;
        IP4_ADDR(&address, 10, 0, 2, 15);
        IP4_ADDR(&mask, 255, 255, 255, 0);
        IP4_ADDR(&gateway, 10, 0, 2, 2);
        ASSERT_NE(netif_add(&netif_, &address, &mask, &gateway, nullptr, interface_init, ethernet_input), nullptr);
        netif_set_default(&netif_);
        netif_set_up(&netif_);
        netif_set_link_up(&netif_);
        sent.clear();  // (a gratuitous ARP may go out as the interface comes up)
    }
    void TearDown() override
    {
        netif_remove(&netif_);
        EXPECT_FALSE(assertion_failed);
    }
    void receive(const std::vector<uint8_t> &frame)
    {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(frame.size()), PBUF_POOL);
        ASSERT_NE(p, nullptr);
        pbuf_take(p, frame.data(), static_cast<u16_t>(frame.size()));
        if (netif_.input(p, &netif_) != ERR_OK)
            pbuf_free(p);
    }
    // An ICMP echo request from the peer: Ethernet, IPv4 (20 bytes), ICMP with payload.
    static std::vector<uint8_t> echo_request(const char *payload)
    {
        size_t data = std::strlen(payload), icmp = 8 + data, total = 14 + 20 + icmp;
        std::vector<uint8_t> frame(total, 0);
        std::memcpy(frame.data(), own_mac, 6);
        std::memcpy(frame.data() + 6, peer_mac, 6);
        put16(frame.data() + 12, 0x0800);
        uint8_t *ip = frame.data() + 14;
        ip[0] = 0x45;
        put16(ip + 2, static_cast<uint16_t>(20 + icmp));
        put16(ip + 4, 0x1234);
        ip[8] = 64;
        ip[9] = 1;  // ICMP
        std::memcpy(ip + 12, peer_ip, 4);
        std::memcpy(ip + 16, own_ip, 4);
        put16(ip + 10, checksum(ip, 20));
        uint8_t *message = ip + 20;
        message[0] = 8;  // echo request
        put16(message + 4, 0x4242);
        put16(message + 6, 7);
        std::memcpy(message + 8, payload, data);
        put16(message + 2, checksum(message, icmp));
        return frame;
    }
    // The peer's answer to the stack's ARP request.
    static std::vector<uint8_t> arp_reply()
    {
        std::vector<uint8_t> frame(60, 0);
        std::memcpy(frame.data(), own_mac, 6);
        std::memcpy(frame.data() + 6, peer_mac, 6);
        put16(frame.data() + 12, 0x0806);
        uint8_t *arp = frame.data() + 14;
        put16(arp, 1);
        put16(arp + 2, 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        put16(arp + 6, 2);
        std::memcpy(arp + 8, peer_mac, 6);
        std::memcpy(arp + 14, peer_ip, 4);
        std::memcpy(arp + 18, own_mac, 6);
        std::memcpy(arp + 24, own_ip, 4);
        return frame;
    }
    struct netif netif_ = {};
};

TEST_F(LwipStack, AnswersArpForItsAddress)
{
    std::vector<uint8_t> request(60, 0);
    std::memset(request.data(), 0xff, 6);
    std::memcpy(request.data() + 6, peer_mac, 6);
    put16(request.data() + 12, 0x0806);
    uint8_t *arp = request.data() + 14;
    put16(arp, 1);
    put16(arp + 2, 0x0800);
    arp[4] = 6;
    arp[5] = 4;
    put16(arp + 6, 1);
    std::memcpy(arp + 8, peer_mac, 6);
    std::memcpy(arp + 14, peer_ip, 4);
    std::memcpy(arp + 24, own_ip, 4);
    receive(request);
    ASSERT_EQ(sent.size(), 1u);
    const std::vector<uint8_t> &reply = sent[0];
    ASSERT_GE(reply.size(), 42u);
    EXPECT_EQ(std::memcmp(reply.data(), peer_mac, 6), 0);
    EXPECT_EQ(std::memcmp(reply.data() + 6, own_mac, 6), 0);
    EXPECT_EQ(reply[12], 0x08);
    EXPECT_EQ(reply[13], 0x06);
    EXPECT_EQ(reply[21], 2);  // a reply
    EXPECT_EQ(std::memcmp(reply.data() + 22, own_mac, 6), 0);
    EXPECT_EQ(std::memcmp(reply.data() + 28, own_ip, 4), 0);
    EXPECT_EQ(std::memcmp(reply.data() + 38, peer_ip, 4), 0);
}

TEST_F(LwipStack, AnswersAnEchoRequest)
{
    receive(echo_request("tern ping"));
    // It asks for the peer's MAC first (lwIP learns none from IP packets), keeping the reply.
    ASSERT_EQ(sent.size(), 1u);
    ASSERT_EQ(sent[0].size(), 42u);
    EXPECT_EQ(sent[0][21], 1);  // an ARP request
    EXPECT_EQ(std::memcmp(sent[0].data() + 38, peer_ip, 4), 0);
    receive(arp_reply());
    ASSERT_EQ(sent.size(), 2u);
    const std::vector<uint8_t> &reply = sent[1];
    ASSERT_EQ(reply.size(), 14u + 20 + 8 + 9);
    EXPECT_EQ(std::memcmp(reply.data(), peer_mac, 6), 0);
    const uint8_t *ip = reply.data() + 14;
    EXPECT_EQ(ip[9], 1);
    EXPECT_EQ(std::memcmp(ip + 12, own_ip, 4), 0);
    EXPECT_EQ(std::memcmp(ip + 16, peer_ip, 4), 0);
    EXPECT_EQ(checksum(ip, 20), 0);  // a valid header checksum sums to zero
    const uint8_t *message = ip + 20;
    EXPECT_EQ(message[0], 0);  // echo reply
    EXPECT_EQ(message[4], 0x42);
    EXPECT_EQ(message[7], 7);
    EXPECT_EQ(std::memcmp(message + 8, "tern ping", 9), 0);
    EXPECT_EQ(checksum(message, 8 + 9), 0);
}

TEST_F(LwipStack, DropsTruncatedAndCorruptedFramesAndCountsThem)
{
    auto dropped = [] { return unsigned{lwip_stats.ip.drop} + lwip_stats.ip.chkerr + lwip_stats.ip.lenerr; };
    unsigned dropped_before = dropped();
    std::vector<uint8_t> truncated = echo_request("x");
    truncated.resize(14 + 10);  // half an IP header
    receive(truncated);
    std::vector<uint8_t> corrupted = echo_request("tern ping");
    corrupted[14 + 16] ^= 0x01;  // the destination changes after the checksum was made
    receive(corrupted);
    EXPECT_TRUE(sent.empty());
    EXPECT_GE(dropped(), dropped_before + 2);
}

}  // namespace

// The port's hooks (servers/net has the server's own): time, randomness, assertions.
extern "C" {
u32_t sys_now(void) { return 0; }
unsigned int tern_lwip_random(void) { return 4; }
void tern_lwip_assert_failed(const char *message, const char *file, int line)
{
    std::fprintf(stderr, "lwip: assertion \"%s\" failed at %s:%d\n", message, file, line);
    assertion_failed = true;
}
}
