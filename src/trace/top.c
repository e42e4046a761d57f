// SPDX-License-Identifier: MIT
/*
 * `moat top` loader: open -> set rodata (filters) and the map size -> load ->
 * attach; each read turns the kernel's ever-growing per-(process, syscall)
 * statistics into the difference since the previous read.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/top.h"
#include "moat/syscalls.h"
#include "moat/trace.h"
#include "top.skel.h"
#include "trace/bpfutil.h"

#define DEFAULT_MAX_ENTRIES 16384

struct entry {
	struct top_key key;
	struct top_stats s;
};

struct moat_top {
	struct top_bpf *skel;
	int ncpu;
	struct top_stats *percpu; /* lookup buffer, ncpu values */
	struct entry *prev;	  /* the previous read, sorted by key */
	size_t nprev;
	struct moat_top_row *rows, *procs;
	uint64_t last_mono, lost_prev;
	int64_t mono_to_real;
	enum moat_arch native;
	const char *names[TOP_NR_MAX];
	char unnamed[TOP_NR_MAX][16];
	char names32[TOP_NR_MAX][32]; /* "name[i386]", made when first needed */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static int setup_rodata(struct top_bpf *skel, const struct moat_top_opts *o, enum moat_arch native)
{
	struct top_bpf__rodata *ro = skel->rodata;
	int64_t nr;
	int err;

	err = moat_bpf_filter_fill((struct moat_bpf_filter *)&ro->filter, &o->filter);
	if (err)
		return err;
	for (int abi = 0; abi < 2; abi++) {
		/* i386 (int 0x80) only beside x86_64. */
		enum moat_arch arch = abi == 0 ? native : MOAT_ARCH_I386;
		uint8_t *on = (uint8_t *)ro->sys_on[abi];

		if (abi && native != MOAT_ARCH_X86_64)
			break;
		if (!o->filter.syscalls) {
			memset(on, 1, TOP_NR_MAX);
		} else {
			for (size_t i = 0; i < o->filter.nsyscalls; i++) {
				const char *name;

				if (o->filter.syscalls[i] >= TOP_NR_MAX)
					return -EINVAL;
				/* -e names native calls; an int 0x80 call of that name is the same. */
				name = moat_syscall_name(native, o->filter.syscalls[i]);
				nr = abi == 0 ? o->filter.syscalls[i]
				     : name   ? moat_syscall_nr(arch, name)
					      : -1;
				if (nr >= 0 && nr < TOP_NR_MAX)
					on[nr] = 1;
			}
		}
		if ((nr = moat_syscall_nr(arch, "exit")) >= 0)
			((uint32_t *)ro->nr_exit)[abi] = (uint32_t)nr;
		if ((nr = moat_syscall_nr(arch, "exit_group")) >= 0)
			((uint32_t *)ro->nr_exit_group)[abi] = (uint32_t)nr;
		if ((nr = moat_syscall_nr(arch, "execve")) >= 0)
			((uint32_t *)ro->nr_execve)[abi] = (uint32_t)nr;
		if ((nr = moat_syscall_nr(arch, "execveat")) >= 0)
			((uint32_t *)ro->nr_execveat)[abi] = (uint32_t)nr;
		for (int i = 0; i < 4; i++) {
			static const char *const forks[4] = { "clone", "clone3", "fork", "vfork" };

			if ((nr = moat_syscall_nr(arch, forks[i])) >= 0)
				((uint32_t *)ro->nr_forks[abi])[i] = (uint32_t)nr;
		}
	}
	if (!o->filter.syscalls)
		ro->other_on = 1;
	return 0;
}

struct moat_top *moat_top_new(const struct moat_top_opts *opts)
{
	size_t max = opts->max_entries ? opts->max_entries : DEFAULT_MAX_ENTRIES;
	struct moat_top *t;
	int err;

	if (max > (1u << 22)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->native = moat_arch_native();
	for (uint32_t i = 0; i < TOP_NR_MAX; i++) {
		t->names[i] = moat_syscall_name(t->native, i);
		if (!t->names[i]) {
			moat_syscall_format(t->native, i, t->unnamed[i], sizeof(t->unnamed[i]));
			t->names[i] = t->unnamed[i];
		}
	}
	t->ncpu = libbpf_num_possible_cpus();
	if (t->ncpu <= 0) {
		err = t->ncpu ? t->ncpu : -EINVAL;
		goto fail;
	}
	t->percpu = calloc((size_t)t->ncpu, sizeof(*t->percpu));
	if (!t->percpu) {
		err = -ENOMEM;
		goto fail;
	}
	moat_bpf_quiet();
	t->skel = top_bpf__open();
	if (!t->skel) {
		err = moat_bpf_load_errno(-errno);
		goto fail;
	}
	err = setup_rodata(t->skel, opts, t->native);
	if (err)
		goto fail;
	err = bpf_map__set_max_entries(t->skel->maps.stats, (uint32_t)max);
	if (!err)
		err = bpf_map__set_max_entries(t->skel->maps.comms, (uint32_t)max);
	if (err)
		goto fail;
	err = top_bpf__load(t->skel);
	if (err) {
		err = moat_bpf_load_errno(err);
		goto fail;
	}
	err = moat_bpf_cgroup_set(t->skel->maps.cgroup_map, &opts->filter);
	if (err)
		goto fail;
	t->mono_to_real = moat_mono_to_real_ns();
	t->last_mono = mono_ns();
	err = top_bpf__attach(t->skel);
	if (err) {
		err = moat_bpf_load_errno(err);
		goto fail;
	}
	return t;
fail:
	moat_top_free(t);
	errno = -err;
	return NULL;
}

static int key_cmp(const void *a, const void *b)
{
	const struct top_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int row_cmp_time(const void *a, const void *b)
{
	const struct moat_top_row *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return key_cmp(&(struct top_key){ x->pid, x->nr }, &(struct top_key){ y->pid, y->nr });
}

/* The value at fraction P of the calls in H (log2 buckets), interpolated in its bucket. */
static uint64_t percentile(const __u64 *h, uint64_t calls, double p)
{
	uint64_t target = (uint64_t)(p * (double)calls + 0.999999), cum = 0;

	if (!calls)
		return 0;
	if (!target)
		target = 1;
	for (int b = 0; b < TOP_NBUCKETS; b++) {
		if (cum + h[b] >= target) {
			double lo, hi;

			if (b == 0)
				return 0;
			lo = (double)(1ull << (b - 1));
			hi = (double)(1ull << b);
			return (uint64_t)(lo + (hi - lo) * (double)(target - cum) / (double)h[b]);
		}
		cum += h[b];
	}
	return 1ull << (TOP_NBUCKETS - 1);
}

/* Reads every (process, syscall) entry of the kernel map, summed over CPUs, sorted. */
static int read_map(struct moat_top *t, struct entry **out, size_t *n)
{
	int fd = bpf_map__fd(t->skel->maps.stats);
	struct top_key key, next;
	struct entry *v = NULL;
	size_t cap = 0, len = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, t->percpu))
			continue; /* deleted meanwhile */
		if (len == cap) {
			struct entry *nv = realloc(v, (cap ? cap * 2 : 256) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = cap ? cap * 2 : 256;
		}
		memset(&v[len], 0, sizeof(v[len]));
		v[len].key = key;
		for (int c = 0; c < t->ncpu; c++) {
			const struct top_stats *s = &t->percpu[c];

			v[len].s.calls += s->calls;
			v[len].s.errors += s->errors;
			v[len].s.timed += s->timed;
			v[len].s.total_ns += s->total_ns;
			for (int b = 0; b < TOP_NBUCKETS; b++)
				v[len].s.hist[b] += s->hist[b];
		}
		len++;
	}
	if (len)
		qsort(v, len, sizeof(*v), key_cmp);
	*out = v;
	*n = len;
	return 0;
}

static void fill_row(struct moat_top_row *r, const struct top_key *k, const struct top_stats *d)
{
	r->pid = k->pid;
	r->nr = k->nr & ~TOP_NR_I386; /* the name says i386 */
	r->calls = d->calls;
	r->errors = d->errors;
	r->timed = d->timed;
	r->total_ns = d->total_ns;
	r->p50_ns = percentile(d->hist, d->timed, 0.50);
	r->p99_ns = percentile(d->hist, d->timed, 0.99);
}

static const char *name_of(struct moat_top *t, uint32_t nr)
{
	const char *n;

	if (nr < TOP_NR_MAX)
		return t->names[nr];
	if ((nr & TOP_NR_I386) && (nr & ~TOP_NR_I386) < TOP_NR_MAX) {
		/* As moat run and moat trace name them: the i386 call, marked. */
		char *buf = t->names32[nr & ~TOP_NR_I386];

		if (!buf[0]) {
			char num[16];

			n = moat_syscall_name(MOAT_ARCH_I386, nr & ~TOP_NR_I386);
			if (!n) {
				moat_syscall_format(MOAT_ARCH_I386, nr & ~TOP_NR_I386, num,
						    sizeof(num));
				n = num;
			}
			snprintf(buf, sizeof(t->names32[0]), "%s[i386]", n);
		}
		return buf;
	}
	/* x32 calls reach a 64-bit kernel's tracepoint with __X32_SYSCALL_BIT set. */
	n = (nr & MOAT_X32_SYSCALL_BIT) ? moat_syscall_name(MOAT_ARCH_X32, nr) : NULL;
	return n ? n : "unknown";
}

static bool process_gone(uint32_t pid)
{
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

int moat_top_read(struct moat_top *t, struct moat_top_snapshot *snap)
{
	int sfd = bpf_map__fd(t->skel->maps.stats), cfd = bpf_map__fd(t->skel->maps.comms);
	struct entry *cur = NULL;
	struct top_stats proc = { 0 };
	size_t ncur = 0, nrows = 0, nprocs = 0, keep = 0;
	uint64_t now = mono_ns(), lost = 0, reported = 0;
	char comm[MOAT_COMM_LEN] = "";
	struct moat_top_row *rows, *procs;
	int err;

	err = read_map(t, &cur, &ncur);
	if (err)
		return err;
	rows = realloc(t->rows, (ncur ? ncur : 1) * sizeof(*rows));
	if (rows)
		t->rows = rows;
	procs = realloc(t->procs, (ncur ? ncur : 1) * sizeof(*procs));
	if (procs)
		t->procs = procs;
	if (!rows || !procs) {
		free(cur);
		return -ENOMEM;
	}
	memset(snap, 0, sizeof(*snap));
	for (size_t i = 0; i < ncur; i++) {
		struct entry *e = &cur[i], *p;
		struct top_stats d = e->s;
		bool first = i == 0 || cur[i - 1].key.pid != e->key.pid;
		bool last = i + 1 == ncur || cur[i + 1].key.pid != e->key.pid;

		if (first) {
			memset(&proc, 0, sizeof(proc));
			memset(comm, 0, sizeof(comm));
			if (bpf_map_lookup_elem(cfd, &e->key.pid, comm))
				strcpy(comm, "?");
		}
		p = t->nprev ? bsearch(&e->key, t->prev, t->nprev, sizeof(*p), key_cmp) : NULL;
		if (p) {
			d.calls -= p->s.calls;
			d.errors -= p->s.errors;
			d.timed -= p->s.timed;
			d.total_ns -= p->s.total_ns;
			for (int b = 0; b < TOP_NBUCKETS; b++)
				d.hist[b] -= p->s.hist[b];
		}
		if (d.calls) {
			struct moat_top_row *r = &rows[nrows++];

			fill_row(r, &e->key, &d);
			r->name = name_of(t, e->key.nr);
			memcpy(r->comm, comm, sizeof(r->comm));
			proc.calls += d.calls;
			proc.errors += d.errors;
			proc.timed += d.timed;
			proc.total_ns += d.total_ns;
			for (int b = 0; b < TOP_NBUCKETS; b++)
				proc.hist[b] += d.hist[b];
			snap->calls += d.calls;
			snap->errors += d.errors;
		}
		if (last && proc.calls) {
			struct moat_top_row *r = &procs[nprocs++];

			fill_row(r, &(struct top_key){ e->key.pid, MOAT_TOP_ALL }, &proc);
			r->name = "*";
			memcpy(r->comm, comm, sizeof(r->comm));
		}
		/*
		 * A process that is gone makes no more calls: everything it did is
		 * in this read, so its entries can leave the map (which has a size).
		 */
		if (last && process_gone(e->key.pid)) {
			size_t j = i;

			while (1) {
				bpf_map_delete_elem(sfd, &cur[j].key);
				cur[j].key.pid = 0; /* dropped below */
				if (j == 0 || cur[j - 1].key.pid != e->key.pid)
					break;
				j--;
			}
			bpf_map_delete_elem(cfd, &e->key.pid);
		}
	}
	/* Keep what remains as the base of the next difference (still sorted). */
	for (size_t i = 0; i < ncur; i++)
		if (cur[i].key.pid)
			cur[keep++] = cur[i];
	free(t->prev);
	t->prev = cur;
	t->nprev = keep;
	qsort(rows, nrows, sizeof(*rows), row_cmp_time);
	qsort(procs, nprocs, sizeof(*procs), row_cmp_time);
	moat_bpf_lost_sum(t->skel->maps.lost_map, &lost, &reported);
	/* Runs the kernel skipped (recursion guard): calls not counted, never silently. */
	lost += moat_bpf_prog_misses(t->skel->progs.top_enter) +
		moat_bpf_prog_misses(t->skel->progs.top_exit);
	snap->ts_ns = now + t->mono_to_real;
	snap->interval_ns = now - t->last_mono;
	snap->rows = rows;
	snap->nrows = nrows;
	snap->procs = procs;
	snap->nprocs = nprocs;
	snap->lost = lost - t->lost_prev;
	t->lost_prev = lost;
	t->last_mono = now;
	return 0;
}

void moat_top_free(struct moat_top *t)
{
	if (!t)
		return;
	top_bpf__destroy(t->skel);
	free(t->percpu);
	free(t->prev);
	free(t->rows);
	free(t->procs);
	free(t);
}
