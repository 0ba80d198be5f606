/* SPDX-License-Identifier: MIT */
/* lwIP's configuration for Tern's network server (docs/network.md): NO_SYS (one thread, the
 * raw API, the server's loop calls the timers), IPv4 with ARP, ICMP, UDP, TCP and DHCP, its
 * own heap and pools in static memory. */
#ifndef TERN_LWIPOPTS_H
#define TERN_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
/* 127.0.0.1: lwIP's loopback interface; the server's loop polls it (netif_poll_all). */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
/* SO_REUSEADDR (servers bind again at once over connections in TIME_WAIT). */
#define SO_REUSE 1
/* Checksums per interface: none on the loopback interface (as Linux's lo, whose packets
 * never leave memory), all of them on the card's. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

/* Memory: lwIP's own heap and pools (no malloc). */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (512 * 1024)
#define PBUF_POOL_SIZE 256
#define MEMP_NUM_PBUF 64
/* More pcbs than the server has sockets (Socket_table::capacity): closed connections keep
 * theirs a while (TIME_WAIT). */
#define MEMP_NUM_UDP_PCB 64
#define MEMP_NUM_TCP_PCB 192
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG 512
#define MEMP_NUM_SYS_TIMEOUT 16

/* TCP: a window and send buffer for a fast local link. A socket's unread bytes are one pbuf
 * chain, whose length is 16 bits: the window stays below 64 KiB (socket_table.hpp). */
#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
/* Window scaling lets more than 64 KiB be in flight to a peer that scales (any Linux); the
 * server's own receive window stays unscaled, below 64 KiB. */
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 0
#define TCP_SND_BUF (64 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE 1

/* Counters (what the server reports it dropped), no debug output. */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define LWIP_DEBUG 0

#define LWIP_CHECKSUM_ON_COPY 1

#endif
