// SPDX-License-Identifier: MIT
/* Pieces shared by moat's eBPF loaders: filters, cgroups, libbpf's output. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "bpf/lost.h"
#include "trace/bpfutil.h"

int moat_bpf_filter_fill(struct moat_bpf_filter *out, const struct moat_trace_filter *f)
{
	struct moat_bpf_filter k = { 0 };

	if (f->pid < 0)
		return -EINVAL;
	k.tgid = (uint32_t)f->pid;
	k.self_tgid = (uint32_t)getpid();
	if (f->comm) {
		size_t n = strlen(f->comm);

		/* The kernel keeps 15 bytes of a task's name: a longer one never matches. */
		if (n == 0 || n >= MOAT_COMM_LEN)
			return -EINVAL;
		memcpy(k.comm, f->comm, n);
		k.use_comm = 1;
	}
	k.use_cgroup = f->cgroup != NULL;
	*out = k;
	return 0;
}

/* The cgroup2 mount point: /sys/fs/cgroup on a unified system, .../unified on a hybrid one. */
static int cgroup2_root(char *buf, size_t size)
{
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs sf;

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (statfs(candidates[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
			snprintf(buf, size, "%s", candidates[i]);
			return 0;
		}
	}
	return -ENOENT;
}

int moat_bpf_cgroup_set(struct bpf_map *map, const struct moat_trace_filter *f)
{
	char path[4096], root[256];
	struct statfs sf;
	uint32_t key = 0;
	int fd, err;

	if (!f->cgroup)
		return 0;
	if (f->cgroup[0] == '/') {
		snprintf(path, sizeof(path), "%s", f->cgroup);
	} else {
		err = cgroup2_root(root, sizeof(root));
		if (err)
			return err;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, f->cgroup) >= sizeof(path))
			return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The ancestry helper works on the v2 hierarchy only: say so instead of never matching. */
	if (fstatfs(fd, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		return -EINVAL;
	}
	err = bpf_map_update_elem(bpf_map__fd(map), &key, &fd, BPF_ANY);
	err = err ? -errno : 0;
	close(fd);
	return err;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

void moat_bpf_quiet(void)
{
	/* MOAT_BPF_DEBUG=1 leaves libbpf's own messages (the verifier's log) on stderr. */
	const char *debug = getenv("MOAT_BPF_DEBUG");

	if (!debug || !*debug || !strcmp(debug, "0"))
		libbpf_set_print(quiet_print);
}

int64_t moat_mono_to_real_ns(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + ((int64_t)r.tv_nsec - m.tv_nsec);
}

int moat_bpf_load_errno(int err)
{
	if (err > 0)
		err = -err;
	if (err == -EPERM)
		return -EPERM;
	/* EACCES is the verifier refusing a program: this kernel, not the user. */
	if (err == -EACCES || err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP ||
	    err == -ESRCH)
		return -EOPNOTSUPP;
	return err ? err : -EIO;
}

int moat_bpf_lost_sum(const struct bpf_map *map, uint64_t *lost, uint64_t *reported)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t l = 0, r = 0;
	struct moat_lost *v;
	uint32_t zero = 0;
	int err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(map), &zero, v) == 0) {
		for (int i = 0; i < ncpu; i++) {
			l += v[i].lost;
			r += v[i].reported;
		}
		*lost = l;
		*reported = r;
	} else {
		err = -errno;
	}
	free(v);
	return err;
}

uint64_t moat_bpf_prog_misses(const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = prog ? bpf_program__fd(prog) : -1;

	if (fd < 0)
		return 0; /* not loaded: it never ran */
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}
