/* SPDX-License-Identifier: MIT */
/*
 * Loss accounting of moat's eBPF event streams: a record that cannot be
 * handed over is counted in a per-CPU counter, and the next record emitted
 * on that CPU carries the count, so the reader shows the loss where it
 * happened; the loader sums the counters for the totals.
 */
#ifndef MOAT_LOST_BPF_H
#define MOAT_LOST_BPF_H

#include "lost.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct moat_lost);
} lost_map SEC(".maps");

/* Set once anything was lost: until then emitting skips the per-CPU lookup. */
bool lost_seen = false;

static __always_inline struct moat_lost *lost_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lost_map, &zero);
}

static __always_inline void lost_count(struct moat_lost *l)
{
	if (!l)
		l = lost_slot();
	if (l)
		l->lost++; /* a per-CPU slot, and tracing programs do not nest on a CPU */
	lost_seen = true;
}

/*
 * bpf_ringbuf_output of DATA (SIZE bytes) to RB, with *LOST_BEFORE (inside
 * DATA) set to this CPU's losses not yet carried by a record.
 */
static __always_inline void lost_emit(void *rb, void *data, __u64 size, __u32 *lost_before,
				      __u64 flags)
{
	struct moat_lost *l = NULL;
	__u64 delta = 0;

	if (lost_seen) {
		l = lost_slot();
		if (l)
			delta = l->lost - l->reported;
	}
	*lost_before = delta > 0xffffffff ? 0xffffffff : delta;
	if (bpf_ringbuf_output(rb, data, size, flags)) {
		lost_count(l);
		return;
	}
	if (l)
		l->reported += *lost_before;
}

#endif
