// SPDX-License-Identifier: GPL-2.0
/*
 * chbind: locks the sockets of a guest to the guest's own addresses on the shared host network
 * stack, as Linux-VServer's chbind did, with cgroup-BPF sock_addr programs.
 *
 * A guest is identified by a cgroup v2 id in the chbind_guests map. A program looks up the id
 * of every ancestor of the calling task's cgroup, from the root down, and applies the first
 * entry it finds, so a guest that creates child cgroups (systemd does) stays locked. Tasks
 * whose cgroups have no entry are not restricted. The programs may therefore be attached once
 * to a common parent cgroup, or to each guest's cgroup.
 *
 * IPv4 rules for a guest with address A and loopback address L (both from the map):
 *   bind 0.0.0.0      -> bind A
 *   bind 127.0.0.1    -> bind L
 *   bind A or L       -> allowed
 *   bind anything else -> EPERM
 *   connect/sendmsg to 127.0.0.1 -> to L when a socket is bound to L on that port, else to A,
 *                                   so a daemon listening on 0.0.0.0 is reachable as 127.0.0.1
 *   connect/sendmsg to another guest's loopback address -> EPERM
 *   connect/sendmsg to other 127.0.0.0/8 addresses -> unchanged (NOTE: so host services bound
 *                                   to addresses such as 127.0.1.1 stay reachable from guests)
 *   connect/sendmsg from an unbound socket -> the source is A (L when the destination is L)
 *   getsockname/getpeername/recvmsg report L as 127.0.0.1; a connection to 127.0.0.1 that
 *   went to A reports A as its peer
 *
 * IPv6, with the optional guest address A6:
 *   bind [::]         -> bind A6, or ::ffff:A when the guest has no IPv6 address
 *   bind [::1]        -> bind ::ffff:L, because ::1 is a single address that cannot be split
 *                        per guest; the guest's IPv4 loopback serves it instead
 *   v4-mapped addresses follow the IPv4 rules
 *   connect/sendmsg to ::1 -> ::ffff:127.0.0.1 under the IPv4 rules
 *   connect/sendmsg to another IPv6 address -> source A6, or EPERM when the guest has none
 * A socket with IPV6_V6ONLY set cannot use a v4-mapped address, so the kernel rejects those
 * rewritten binds with EINVAL.
 *
 * cgroup/sock_create rejects raw IPv4 and IPv6 sockets with EPERM.
 * NOTE: the kernel runs cgroup/sock_create only from inet_create and inet6_create, so packet
 * (AF_PACKET) sockets are not covered: a bind-mode guest must not keep CAP_NET_RAW.
 *
 * Addresses in the maps are in network byte order. A sock_addr program that returns 0 makes
 * the system call fail with EPERM; 1 lets it continue with the (possibly rewritten) address.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define SOCK_RAW_TYPE 3

#define ALLOW 1
#define REJECT 0

/*
 * The deepest cgroup level whose id is looked up in the map. A task deeper than this below the
 * root has no guest found and is not restricted.
 */
#define MAX_CGROUP_LEVEL 32

#define CHBIND_HAS_IPV6 1u

/* The settings of one guest, in the layout the Java class GuestAddresses writes. */
struct chbind_guest {
    __u32 ipv4;        /* the guest's IPv4 address */
    __u32 loopback4;   /* the guest's loopback address, in 127.0.0.0/8 */
    __u32 ipv6[4];     /* the guest's IPv6 address, valid when CHBIND_HAS_IPV6 is set */
    __u32 flags;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);                 /* cgroup v2 id of the guest's cgroup */
    __type(value, struct chbind_guest);
} chbind_guests SEC(".maps");

/* Every guest's loopback address, so that a guest cannot reach another guest's loopback. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);                 /* loopback address */
    __type(value, __u64);               /* cgroup v2 id of its guest */
} loopback_owners SEC(".maps");

#define LOCALHOST4 bpf_htonl(0x7f000001)

static __always_inline struct chbind_guest *find_guest(void)
{
    for (int level = 1; level <= MAX_CGROUP_LEVEL; level++) {
        __u64 id = bpf_get_current_ancestor_cgroup_id(level);
        if (id == 0) {
            return 0;
        }
        struct chbind_guest *guest = bpf_map_lookup_elem(&chbind_guests, &id);
        if (guest) {
            return guest;
        }
    }
    return 0;
}

static __always_inline int is_loopback4(__u32 address)
{
    return (bpf_ntohl(address) >> 24) == 127;
}

/* Returns the address a bind to address may use, or 0 when the bind is rejected. */
static __always_inline __u32 bind_address4(const struct chbind_guest *guest, __u32 address)
{
    if (address == 0) {
        return guest->ipv4;
    }
    if (address == LOCALHOST4) {
        return guest->loopback4;
    }
    if (address == guest->ipv4 || address == guest->loopback4) {
        return address;
    }
    return 0;
}

/* Returns 1 when a socket is listening on, or bound to, address:port for the protocol. */
static __always_inline int has_socket4(void *ctx, __u32 protocol, __u32 address, __u32 port)
{
    struct bpf_sock_tuple tuple = {};
    struct bpf_sock *sk;

    tuple.ipv4.daddr = address;
    tuple.ipv4.dport = (__u16)port;
    if (protocol == IPPROTO_TCP) {
        sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
    } else {
        sk = bpf_sk_lookup_udp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
    }
    if (!sk) {
        return 0;
    }
    bpf_sk_release(sk);
    return 1;
}

/*
 * Returns the destination a connect or sendmsg to address:port goes to, or 0 when it is
 * rejected. port is in network byte order, as in the context.
 */
static __always_inline __u32 destination4(void *ctx, const struct chbind_guest *guest,
                                          __u32 protocol, __u32 address, __u32 port)
{
    if (address == LOCALHOST4) {
        if (has_socket4(ctx, protocol, guest->loopback4, port)) {
            return guest->loopback4;
        }
        return guest->ipv4;
    }
    if (is_loopback4(address) && address != guest->loopback4 && address != guest->ipv4
        && bpf_map_lookup_elem(&loopback_owners, &address)) {
        return 0;
    }
    return address;
}

static __always_inline __u32 source_for4(const struct chbind_guest *guest, __u32 destination)
{
    return destination == guest->loopback4 ? guest->loopback4 : guest->ipv4;
}

static __always_inline void set_mapped(__u32 *words, __u32 address)
{
    words[0] = 0;
    words[1] = 0;
    words[2] = bpf_htonl(0xffff);
    words[3] = address;
}

static __always_inline int is_mapped(const __u32 *words)
{
    return words[0] == 0 && words[1] == 0 && words[2] == bpf_htonl(0xffff);
}

static __always_inline int is_any6(const __u32 *words)
{
    return (words[0] | words[1] | words[2] | words[3]) == 0;
}

static __always_inline int is_localhost6(const __u32 *words)
{
    return words[0] == 0 && words[1] == 0 && words[2] == 0 && words[3] == bpf_htonl(1);
}

static __always_inline int equals6(const __u32 *a, const __u32 *b)
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* Copies ctx->user_ip6, which allows only 32-bit loads, into words. */
static __always_inline void load_user_ip6(const struct bpf_sock_addr *ctx, __u32 *words)
{
    words[0] = ctx->user_ip6[0];
    words[1] = ctx->user_ip6[1];
    words[2] = ctx->user_ip6[2];
    words[3] = ctx->user_ip6[3];
}

static __always_inline void store_user_ip6(struct bpf_sock_addr *ctx, const __u32 *words)
{
    ctx->user_ip6[0] = words[0];
    ctx->user_ip6[1] = words[1];
    ctx->user_ip6[2] = words[2];
    ctx->user_ip6[3] = words[3];
}

/* Binds an unbound socket to source before a connect, so it does not leave from a host address. */
static __always_inline int bind_source4(struct bpf_sock_addr *ctx, __u32 source)
{
    struct bpf_sock *sk = ctx->sk;
    struct sockaddr_in sin = {};

    if (!sk || sk->src_ip4 != 0) {
        return 0;
    }
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = source;
    return bpf_bind(ctx, (struct sockaddr *)&sin, sizeof(sin));
}

static __always_inline int is_unbound6(const struct bpf_sock *sk)
{
    return sk->src_ip6[0] == 0 && sk->src_ip6[1] == 0 && sk->src_ip6[2] == 0
        && sk->src_ip6[3] == 0;
}

static __always_inline int bind_source6(struct bpf_sock_addr *ctx, const __u32 *source)
{
    struct bpf_sock *sk = ctx->sk;
    struct sockaddr_in6 sin6 = {};

    if (!sk || !is_unbound6(sk)) {
        return 0;
    }
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr.in6_u.u6_addr32[0] = source[0];
    sin6.sin6_addr.in6_u.u6_addr32[1] = source[1];
    sin6.sin6_addr.in6_u.u6_addr32[2] = source[2];
    sin6.sin6_addr.in6_u.u6_addr32[3] = source[3];
    return bpf_bind(ctx, (struct sockaddr *)&sin6, sizeof(sin6));
}

SEC("cgroup/bind4")
int bind4(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    if (!guest) {
        return ALLOW;
    }
    __u32 address = bind_address4(guest, ctx->user_ip4);
    if (address == 0) {
        return REJECT;
    }
    ctx->user_ip4 = address;
    return ALLOW;
}

SEC("cgroup/bind6")
int bind6(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    __u32 words[4];

    if (!guest) {
        return ALLOW;
    }
    load_user_ip6(ctx, words);
    if (is_any6(words)) {
        if (guest->flags & CHBIND_HAS_IPV6) {
            store_user_ip6(ctx, guest->ipv6);
        } else {
            set_mapped(words, guest->ipv4);
            store_user_ip6(ctx, words);
        }
        return ALLOW;
    }
    if (is_localhost6(words)) {
        set_mapped(words, guest->loopback4);
        store_user_ip6(ctx, words);
        return ALLOW;
    }
    if (is_mapped(words)) {
        __u32 address = bind_address4(guest, words[3]);
        if (address == 0) {
            return REJECT;
        }
        set_mapped(words, address);
        store_user_ip6(ctx, words);
        return ALLOW;
    }
    if ((guest->flags & CHBIND_HAS_IPV6) && equals6(words, guest->ipv6)) {
        return ALLOW;
    }
    return REJECT;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    if (!guest) {
        return ALLOW;
    }
    __u32 destination = destination4(ctx, guest, ctx->protocol, ctx->user_ip4, ctx->user_port);
    if (destination == 0) {
        return REJECT;
    }
    ctx->user_ip4 = destination;
    if (bind_source4(ctx, source_for4(guest, destination)) != 0) {
        return REJECT;
    }
    return ALLOW;
}

/*
 * Applies the IPv6 destination rules to words and returns the source an unbound socket must
 * use in source, or returns 0 when the destination is rejected.
 */
static __always_inline int destination6(void *ctx, const struct chbind_guest *guest,
                                        __u32 protocol, __u32 port, __u32 *words, __u32 *source)
{
    if (is_localhost6(words)) {
        set_mapped(words, LOCALHOST4);
    }
    if (is_mapped(words)) {
        __u32 destination = destination4(ctx, guest, protocol, words[3], port);
        if (destination == 0) {
            return 0;
        }
        set_mapped(words, destination);
        set_mapped(source, source_for4(guest, destination));
        return 1;
    }
    if (!(guest->flags & CHBIND_HAS_IPV6)) {
        return 0;
    }
    source[0] = guest->ipv6[0];
    source[1] = guest->ipv6[1];
    source[2] = guest->ipv6[2];
    source[3] = guest->ipv6[3];
    return 1;
}

SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    __u32 words[4];
    __u32 source[4];

    if (!guest) {
        return ALLOW;
    }
    load_user_ip6(ctx, words);
    if (!destination6(ctx, guest, ctx->protocol, ctx->user_port, words, source)) {
        return REJECT;
    }
    store_user_ip6(ctx, words);
    if (bind_source6(ctx, source) != 0) {
        return REJECT;
    }
    return ALLOW;
}

SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    if (!guest) {
        return ALLOW;
    }
    __u32 destination = destination4(ctx, guest, ctx->protocol, ctx->user_ip4, ctx->user_port);
    if (destination == 0) {
        return REJECT;
    }
    ctx->user_ip4 = destination;
    /* A bound socket already has one of the guest's addresses; an unbound one gets it here. */
    if (ctx->sk && ctx->sk->src_ip4 == 0) {
        ctx->msg_src_ip4 = source_for4(guest, destination);
    }
    return ALLOW;
}

SEC("cgroup/sendmsg6")
int sendmsg6(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    __u32 words[4];
    __u32 source[4];

    if (!guest) {
        return ALLOW;
    }
    load_user_ip6(ctx, words);
    if (!destination6(ctx, guest, ctx->protocol, ctx->user_port, words, source)) {
        return REJECT;
    }
    store_user_ip6(ctx, words);
    /* The kernel sends v4-mapped destinations through udp_sendmsg and the sendmsg4 program. */
    if (!is_mapped(words) && ctx->sk && is_unbound6(ctx->sk)) {
        ctx->msg_src_ip6[0] = source[0];
        ctx->msg_src_ip6[1] = source[1];
        ctx->msg_src_ip6[2] = source[2];
        ctx->msg_src_ip6[3] = source[3];
    }
    return ALLOW;
}

/* Reports the guest's loopback address as 127.0.0.1, as the guest expects to see it. */
static __always_inline int hide_loopback4(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    if (guest && ctx->user_ip4 == guest->loopback4) {
        ctx->user_ip4 = LOCALHOST4;
    }
    return ALLOW;
}

static __always_inline int hide_loopback6(struct bpf_sock_addr *ctx)
{
    struct chbind_guest *guest = find_guest();
    __u32 words[4];

    if (!guest) {
        return ALLOW;
    }
    load_user_ip6(ctx, words);
    if (is_mapped(words) && words[3] == guest->loopback4) {
        ctx->user_ip6[3] = LOCALHOST4;
    }
    return ALLOW;
}

SEC("cgroup/recvmsg4")
int recvmsg4(struct bpf_sock_addr *ctx)
{
    return hide_loopback4(ctx);
}

SEC("cgroup/recvmsg6")
int recvmsg6(struct bpf_sock_addr *ctx)
{
    return hide_loopback6(ctx);
}

SEC("cgroup/getsockname4")
int getsockname4(struct bpf_sock_addr *ctx)
{
    return hide_loopback4(ctx);
}

SEC("cgroup/getsockname6")
int getsockname6(struct bpf_sock_addr *ctx)
{
    return hide_loopback6(ctx);
}

SEC("cgroup/getpeername4")
int getpeername4(struct bpf_sock_addr *ctx)
{
    return hide_loopback4(ctx);
}

SEC("cgroup/getpeername6")
int getpeername6(struct bpf_sock_addr *ctx)
{
    return hide_loopback6(ctx);
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
    /* The type is checked first, so that the map lookups run only for raw sockets. */
    if (sk->type != SOCK_RAW_TYPE || (sk->family != AF_INET && sk->family != AF_INET6)) {
        return ALLOW;
    }
    return find_guest() ? REJECT : ALLOW;
}

char LICENSE[] SEC("license") = "GPL";
