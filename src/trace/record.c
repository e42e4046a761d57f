// SPDX-License-Identifier: MIT
/*
 * moat record, loader: open -> set rodata and map sizes -> load -> mark the
 * argument syscalls -> attach; the caller tracks pids, waits, and collects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/record.h"
#include "moat/record.h"
#include "moat/track.h"
#include "record.skel.h"
#include "trace/bpfutil.h"

struct moat_recorder {
	struct record_bpf *skel;
	int ncpus;
	bool cgroup;
};

/* moat's arch enum <-> the kernel side's slot arch. */
static const struct {
	enum moat_arch arch;
	__u32 rec;
} arch_map[] = {
	{ MOAT_ARCH_X86_64, REC_ARCH_X86_64 },
	{ MOAT_ARCH_I386, REC_ARCH_I386 },
	{ MOAT_ARCH_X32, REC_ARCH_X32 },
};

/* Only x86 has compat ABIs the kernel side tells apart; elsewhere slot 0 is native. */
static enum moat_arch slot_arch(__u32 rec)
{
#if defined(__x86_64__)
	for (size_t i = 0; i < sizeof(arch_map) / sizeof(arch_map[0]); i++)
		if (arch_map[i].rec == rec)
			return arch_map[i].arch;
	return MOAT_ARCH__COUNT;
#else
	return rec == 0 ? moat_arch_native() : MOAT_ARCH__COUNT;
#endif
}

/* Writes argmask/flags into every CPU's copy of the slots of the listed syscalls. */
static int mark_arg_syscalls(struct moat_recorder *rec)
{
	int fd = bpf_map__fd(rec->skel->maps.counts);
	struct rec_slot *vals = calloc(rec->ncpus, sizeof(*vals));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (__u32 a = 0; a < REC_NARCH && !err; a++) {
		enum moat_arch arch = slot_arch(a);

		if (arch == MOAT_ARCH__COUNT)
			continue;
		for (size_t i = 0; i < moat_syscall_count(arch) && !err; i++) {
			const char *name;
			uint32_t nr, mask;
			__u32 slot;

			if (moat_syscall_at(arch, i, &name, &nr))
				continue;
			mask = moat_record_argmask(name);
			nr &= ~REC_X32_SYSCALL_BIT;
			if (!mask || nr >= REC_NR_SLOTS)
				continue;
			for (int c = 0; c < rec->ncpus; c++) {
				vals[c].argmask = mask;
				vals[c].flags = strcmp(name, "clone3") ? 0 : REC_SLOT_CLONE3;
			}
			slot = a * REC_NR_SLOTS + nr;
			if (bpf_map_update_elem(fd, &slot, vals, BPF_ANY))
				err = -errno;
		}
	}
	free(vals);
	return err;
}

int moat_recorder_new(const struct moat_record_opts *opts, struct moat_recorder **out)
{
	struct moat_record_opts defaults = { 0 };
	struct moat_recorder *rec;
	int err;

	if (!opts)
		opts = &defaults;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->ncpus = libbpf_num_possible_cpus();
	if (rec->ncpus <= 0) {
		err = rec->ncpus ? rec->ncpus : -EINVAL;
		goto cleanup;
	}
	rec->skel = record_bpf__open();
	if (!rec->skel) {
		err = -errno;
		goto cleanup;
	}
	if (opts->cgroup_path) {
		uint64_t id;
		uint32_t level;

		err = moat_cgroup_resolve(opts->cgroup_path, &id, &level);
		if (err)
			goto cleanup;
		rec->skel->rodata->track_cgroup_id = id;
		rec->skel->rodata->track_cgroup_level = level;
		rec->cgroup = true;
	}
	err = bpf_map__set_max_entries(rec->skel->maps.tracked,
				       opts->max_pids ? opts->max_pids : 8192);
	if (!err)
		err = bpf_map__set_max_entries(rec->skel->maps.values,
					       opts->max_values ? opts->max_values : 16384);
	if (err)
		goto cleanup;
	err = record_bpf__load(rec->skel);
	if (err) {
		/* No BTF or no tp_btf support is "not supported", not a bug of ours. */
		if (err == -ENOENT || err == -ESRCH || err == -ENOTSUP)
			err = -EOPNOTSUPP;
		goto cleanup;
	}
	err = mark_arg_syscalls(rec);
	if (err)
		goto cleanup;
	err = record_bpf__attach(rec->skel);
	if (err)
		goto cleanup;
	*out = rec;
	return 0;
cleanup:
	moat_recorder_free(rec);
	return err < 0 ? err : -EINVAL;
}

void moat_recorder_free(struct moat_recorder *rec)
{
	if (!rec)
		return;
	record_bpf__destroy(rec->skel);
	free(rec);
}

int moat_recorder_track_pid(struct moat_recorder *rec, pid_t pid)
{
	int err;

	if (rec->cgroup)
		return -EINVAL;
	err = moat_track_add_tree(bpf_map__fd(rec->skel->maps.tracked), pid, NULL);
	return err == -ENOSPC ? -E2BIG : err;
}

int moat_recorder_track_spawned(struct moat_recorder *rec, pid_t pid)
{
	int err;

	if (rec->cgroup)
		return -EINVAL;
	err = moat_track_add(bpf_map__fd(rec->skel->maps.tracked), pid, true);
	return err == -ENOSPC ? -E2BIG : err;
}

size_t moat_recorder_ntracked(struct moat_recorder *rec)
{
	if (rec->cgroup)
		return 0;
	return moat_track_count(bpf_map__fd(rec->skel->maps.tracked));
}

static int collect_counts(struct moat_recorder *rec, struct moat_recording *r)
{
	int fd = bpf_map__fd(rec->skel->maps.counts);
	struct rec_slot *vals = calloc(rec->ncpus, sizeof(*vals));

	if (!vals)
		return -ENOMEM;
	for (__u32 slot = 0; slot < REC_NSLOTS; slot++) {
		enum moat_arch arch = slot_arch(slot / REC_NR_SLOTS);
		uint64_t sum = 0;

		if (arch == MOAT_ARCH__COUNT)
			continue;
		if (bpf_map_lookup_elem(fd, &slot, vals)) {
			int err = -errno;

			free(vals);
			return err;
		}
		for (int c = 0; c < rec->ncpus; c++)
			sum += vals[c].count;
		if (sum)
			moat_recording_add_count(r, arch, slot % REC_NR_SLOTS, sum);
	}
	free(vals);
	return 0;
}

static int collect_values(struct moat_recorder *rec, struct moat_recording *r)
{
	int fd = bpf_map__fd(rec->skel->maps.values);
	struct rec_value_key key, next;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		enum moat_arch arch = slot_arch(next.slot / REC_NR_SLOTS);

		if (arch != MOAT_ARCH__COUNT && next.arg <= 5) {
			int err = moat_recording_add_value(r, arch, next.slot % REC_NR_SLOTS,
							   next.arg, next.value);

			if (err)
				return err;
		}
		key = next;
		prev = &key;
	}
	return 0;
}

static int collect_losses(struct moat_recorder *rec, struct moat_recording *r)
{
	int fd = bpf_map__fd(rec->skel->maps.losses);
	__u64 *vals = calloc(rec->ncpus, sizeof(*vals));
	__u64 sum[REC_LOSS__COUNT] = { 0 };

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < REC_LOSS__COUNT; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			int err = -errno;

			free(vals);
			return err;
		}
		for (int c = 0; c < rec->ncpus; c++)
			sum[k] += vals[c];
	}
	free(vals);
	r->losses.values_full = sum[REC_LOSS_VALUES_FULL];
	r->losses.nr_range = sum[REC_LOSS_NR_RANGE];
	r->losses.track_full = sum[REC_LOSS_TRACK_FULL];
	r->losses.arg_read = sum[REC_LOSS_ARG_READ];
	r->losses.missed = moat_bpf_prog_misses(rec->skel->progs.record_sys_enter);
	return 0;
}

int moat_recorder_collect(struct moat_recorder *rec, struct moat_recording **out)
{
	struct moat_recording *r = moat_recording_new();
	int err;

	if (!r)
		return -ENOMEM;
	err = collect_counts(rec, r);
	if (!err)
		err = collect_values(rec, r);
	if (!err)
		err = collect_losses(rec, r);
	if (err) {
		moat_recording_free(r);
		return err;
	}
	*out = r;
	return 0;
}
