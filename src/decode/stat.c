// SPDX-License-Identifier: MIT
/*
 * struct stat and struct statx as bytes read from a traced program after the
 * kernel filled them: the file type and mode, the size, a device's number.
 */
#include <errno.h>
#include <linux/stat.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "moat/decode.h"

/* What moat reads must cover the fields shown, of both structures. */
_Static_assert(offsetof(struct stat, st_size) + sizeof(off_t) <= MOAT_STAT_LEN, "st_size");
_Static_assert(offsetof(struct stat, st_rdev) + sizeof(dev_t) <= MOAT_STAT_LEN, "st_rdev");
_Static_assert(offsetof(struct statx, stx_rdev_minor) + 4 <= MOAT_STAT_LEN, "stx_rdev");

int moat_stat_parse(const void *data, size_t len, bool statx, struct moat_stat *st)
{
	memset(st, 0, sizeof(*st));
	if (!data || len < MOAT_STAT_LEN)
		return -EINVAL;
	if (statx) {
		struct statx sx;

		memset(&sx, 0, sizeof(sx));
		memcpy(&sx, data, MOAT_STAT_LEN);
		st->mode = sx.stx_mode;
		st->size = sx.stx_size;
		st->rdev_major = sx.stx_rdev_major;
		st->rdev_minor = sx.stx_rdev_minor;
	} else {
		struct stat s;

		memcpy(&s, data, sizeof(s) < MOAT_STAT_LEN ? sizeof(s) : MOAT_STAT_LEN);
		st->mode = s.st_mode;
		st->size = (uint64_t)s.st_size;
		st->rdev_major = major(s.st_rdev);
		st->rdev_minor = minor(s.st_rdev);
	}
	return 0;
}

int moat_decode_file_mode(uint32_t mode, char *buf, size_t size)
{
	static const struct {
		uint32_t type;
		const char *name;
	} types[] = {
		{ S_IFREG, "S_IFREG" },	  { S_IFDIR, "S_IFDIR" }, { S_IFLNK, "S_IFLNK" },
		{ S_IFCHR, "S_IFCHR" },	  { S_IFBLK, "S_IFBLK" }, { S_IFIFO, "S_IFIFO" },
		{ S_IFSOCK, "S_IFSOCK" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((mode & S_IFMT) == types[i].type)
			return snprintf(buf, size, "%s|%#04o", types[i].name, mode & 07777);
	return snprintf(buf, size, "%#o", mode);
}

int moat_decode_stat(const void *data, size_t len, bool statx, char *buf, size_t size)
{
	const char *p = statx ? "stx_" : "st_";
	struct moat_stat st;
	char mode[48];

	if (moat_stat_parse(data, len, statx, &st))
		return -EINVAL;
	moat_decode_file_mode(st.mode, mode, sizeof(mode));
	if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
		return snprintf(buf, size, "{%smode=%s, %srdev=makedev(%#x, %#x), ...}", p, mode, p,
				st.rdev_major, st.rdev_minor);
	/* off_t is signed (strace shows it so). */
	return snprintf(buf, size, "{%smode=%s, %ssize=%lld, ...}", p, mode, p,
			(long long)(int64_t)st.size);
}
