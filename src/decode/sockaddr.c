// SPDX-License-Identifier: MIT
/*
 * Socket addresses as bytes read from a traced program (connect, bind):
 * taken apart by family and shown as strace shows them. The bytes come
 * from another process: every length is checked against LEN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "moat/decode.h"

static const char *family_name(int family)
{
	static const struct moat_arg_sig af = { MOAT_ARG_ENUM, "AF", "family" };
	static __thread char name[32];

	moat_decode_arg(&af, (uint64_t)family, name, sizeof(name));
	/* An unnamed value comes back as a number. */
	return name[0] >= 'A' && name[0] <= 'Z' ? name : NULL;
}

int moat_sockaddr_parse(const void *data, size_t len, struct moat_sockaddr *sa)
{
	sa_family_t family;

	memset(sa, 0, sizeof(*sa));
	sa->port = -1;
	if (!data || len < sizeof(family))
		return -EINVAL;
	memcpy(&family, data, sizeof(family));
	sa->family = family;
	sa->family_name = family_name(family);
	switch (family) {
	case AF_INET: {
		struct sockaddr_in in;

		if (len < sizeof(in))
			return -EINVAL;
		memcpy(&in, data, sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, sa->addr, sizeof(sa->addr));
		sa->port = ntohs(in.sin_port);
		break;
	}
	case AF_INET6: {
		struct sockaddr_in6 in6;

		if (len < sizeof(in6))
			return -EINVAL;
		memcpy(&in6, data, sizeof(in6));
		inet_ntop(AF_INET6, &in6.sin6_addr, sa->addr, sizeof(sa->addr));
		sa->port = ntohs(in6.sin6_port);
		break;
	}
	case AF_UNIX: {
		const char *p = (const char *)data + offsetof(struct sockaddr_un, sun_path);
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (n > sizeof(sa->path))
			n = sizeof(sa->path);
		if (!n) {
			sa->unnamed = true;
			break;
		}
		/* An abstract name starts with a 0 byte and has its length, not a NUL. */
		if (!p[0]) {
			sa->abstract = true;
			p++;
			n--;
		} else {
			n = strnlen(p, n);
		}
		memcpy(sa->path, p, n);
		sa->path_len = n;
		break;
	}
	case AF_NETLINK: {
		struct sockaddr_nl nl;

		if (len < sizeof(nl))
			return -EINVAL;
		memcpy(&nl, data, sizeof(nl));
		sa->nl_pid = nl.nl_pid;
		sa->nl_groups = nl.nl_groups;
		break;
	}
	default:
		break;
	}
	return 0;
}

int moat_decode_sockaddr(const void *data, size_t len, char *buf, size_t size)
{
	struct moat_sockaddr sa;
	char fam[48], path[4 * sizeof(sa.path) + 8];

	if (moat_sockaddr_parse(data, len, &sa))
		return -EINVAL;
	if (sa.family_name)
		snprintf(fam, sizeof(fam), "%s", sa.family_name);
	else
		snprintf(fam, sizeof(fam), "%d", sa.family);
	switch (sa.family) {
	case AF_INET:
		return snprintf(buf, size,
				"{sa_family=%s, sin_port=htons(%d), sin_addr=inet_addr(\"%s\")}",
				fam, sa.port, sa.addr);
	case AF_INET6:
		return snprintf(buf, size,
				"{sa_family=%s, sin6_port=htons(%d), sin6_addr=inet_pton(\"%s\")}",
				fam, sa.port, sa.addr);
	case AF_UNIX:
		if (sa.unnamed)
			return snprintf(buf, size, "{sa_family=%s}", fam);
		moat_decode_string(sa.path, sa.path_len, path, sizeof(path));
		return snprintf(buf, size, "{sa_family=%s, sun_path=%s%s}", fam,
				sa.abstract ? "@" : "", path);
	case AF_NETLINK:
		return snprintf(buf, size, "{sa_family=%s, nl_pid=%u, nl_groups=%#x}", fam,
				sa.nl_pid, sa.nl_groups);
	default:
		return snprintf(buf, size, "{sa_family=%s, ...}", fam);
	}
}
