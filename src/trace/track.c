// SPDX-License-Identifier: MIT
/* Filling the tracked process set of the eBPF programs; cgroup v2 lookups. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf/track.h"
#include "moat/track.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

int moat_track_add(int map_fd, pid_t pid, bool after_exec)
{
	__u32 key = pid;
	__u8 state = after_exec ? TRACK_EXEC_PENDING : TRACK_ACTIVE;

	if (bpf_map_update_elem(map_fd, &key, &state, BPF_ANY))
		return -errno;
	return 0;
}

static bool tracked(int map_fd, pid_t pid)
{
	__u32 key = pid;
	__u8 v;

	return bpf_map_lookup_elem(map_fd, &key, &v) == 0;
}

/* Parent tgid of process PID from /proc/PID/stat; -1 if gone. */
static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: the fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

int moat_track_add_tree(int map_fd, pid_t pid, size_t *added)
{
	size_t n = 0;
	bool again = true;
	int err;

	if (kill(pid, 0) && errno == ESRCH)
		return -ESRCH;
	err = moat_track_add(map_fd, pid, false);
	if (err)
		return err;
	n++;
	while (again) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		if (!d)
			return -errno;
		again = false;
		while ((e = readdir(d))) {
			char *end;
			long p = strtol(e->d_name, &end, 10);
			pid_t pp;

			if (*end || p <= 0 || tracked(map_fd, p))
				continue;
			pp = proc_ppid(p);
			if (pp <= 0 || !tracked(map_fd, pp))
				continue;
			err = moat_track_add(map_fd, p, false);
			if (err) {
				closedir(d);
				return err;
			}
			n++;
			/* Its own children may have been listed before it: scan again. */
			again = true;
		}
		closedir(d);
	}
	if (added)
		*added = n;
	return 0;
}

size_t moat_track_count(int map_fd)
{
	__u32 key, next;
	size_t n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

/* The cgroup2 mount point that holds PATH (longest match in mountinfo). */
static int cgroup2_root(const char *path, char *root, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	size_t best = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], *sep;
		size_t len;

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPER" */
		sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		len = strlen(mnt);
		if (strncmp(path, mnt, len) || (path[len] && path[len] != '/' && len > 1))
			continue;
		if (len >= best && len < size) {
			best = len;
			memcpy(root, mnt, len + 1);
		}
	}
	fclose(f);
	return best ? 0 : -EINVAL;
}

int moat_cgroup_resolve(const char *path, uint64_t *id, uint32_t *level)
{
	char real[PATH_MAX], root[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	uint32_t depth = 0;
	int err;

	if (!realpath(path, real))
		return -errno;
	if (stat(real, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (statfs(real, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EINVAL;
	err = cgroup2_root(real, root, sizeof(root));
	if (err)
		return err;
	/* A cgroup2 mounted on "/" would leave "a/b": count from the leading slash. */
	for (const char *p = real + (strcmp(root, "/") ? strlen(root) : 0); *p; p++)
		if (*p == '/' && p[1])
			depth++;
	/* kernfs: a cgroup's id is the inode number of its directory (64-bit ino). */
	*id = st.st_ino;
	*level = depth;
	return 0;
}
