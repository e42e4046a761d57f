/* SPDX-License-Identifier: MIT */
/* Per-CPU loss counters of moat's eBPF event streams (see lost.bpf.h). */
#ifndef MOAT_BPF_LOST_H
#define MOAT_BPF_LOST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct moat_lost {
	__u64 lost;	/* records this CPU could not emit */
	__u64 reported; /* of those, how many a later record's lost_before carried */
};

#endif
