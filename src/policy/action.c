// SPDX-License-Identifier: MIT
/* Actions: the SECCOMP_RET_* words and their .moat spelling. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>

#include "moat/decode.h"
#include "moat/policy.h"

uint32_t moat_action_ret(struct moat_action a)
{
	switch (a.kind) {
	case MOAT_ACT_KILL_PROCESS:
		return SECCOMP_RET_KILL_PROCESS;
	case MOAT_ACT_KILL_THREAD:
		return SECCOMP_RET_KILL_THREAD;
	case MOAT_ACT_TRAP:
		return SECCOMP_RET_TRAP;
	case MOAT_ACT_ERRNO:
		return SECCOMP_RET_ERRNO | (a.data & SECCOMP_RET_DATA);
	case MOAT_ACT_NOTIFY:
		return SECCOMP_RET_USER_NOTIF;
	case MOAT_ACT_TRACE:
		return SECCOMP_RET_TRACE | (a.data & SECCOMP_RET_DATA);
	case MOAT_ACT_LOG:
		return SECCOMP_RET_LOG;
	case MOAT_ACT_ALLOW:
	default:
		return SECCOMP_RET_ALLOW;
	}
}

int moat_action_from_ret(uint32_t ret, struct moat_action *out)
{
	uint32_t data = ret & SECCOMP_RET_DATA;
	struct moat_action a = { 0, 0 };

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		a.kind = MOAT_ACT_KILL_PROCESS;
		break;
	case SECCOMP_RET_KILL_THREAD:
		a.kind = MOAT_ACT_KILL_THREAD;
		break;
	case SECCOMP_RET_TRAP:
		a.kind = MOAT_ACT_TRAP;
		break;
	case SECCOMP_RET_ERRNO:
		a = (struct moat_action){ MOAT_ACT_ERRNO, data };
		break;
	case SECCOMP_RET_USER_NOTIF:
		a.kind = MOAT_ACT_NOTIFY;
		break;
	case SECCOMP_RET_TRACE:
		a = (struct moat_action){ MOAT_ACT_TRACE, data };
		break;
	case SECCOMP_RET_LOG:
		a.kind = MOAT_ACT_LOG;
		break;
	case SECCOMP_RET_ALLOW:
		a.kind = MOAT_ACT_ALLOW;
		break;
	default:
		return -EINVAL;
	}
	*out = a;
	return 0;
}

bool moat_action_equal(struct moat_action a, struct moat_action b)
{
	if (a.kind != b.kind)
		return false;
	return (a.kind != MOAT_ACT_ERRNO && a.kind != MOAT_ACT_TRACE) || a.data == b.data;
}

int moat_action_format(struct moat_action a, char *buf, size_t size)
{
	const char *en;

	switch (a.kind) {
	case MOAT_ACT_KILL_PROCESS:
		return snprintf(buf, size, "kill");
	case MOAT_ACT_KILL_THREAD:
		return snprintf(buf, size, "kill-thread");
	case MOAT_ACT_TRAP:
		return snprintf(buf, size, "trap");
	case MOAT_ACT_ERRNO:
		en = moat_errno_name((int)a.data);
		if (en)
			return snprintf(buf, size, "errno %s", en);
		return snprintf(buf, size, "errno %u", a.data);
	case MOAT_ACT_NOTIFY:
		return snprintf(buf, size, "notify");
	case MOAT_ACT_TRACE:
		return snprintf(buf, size, "trace %u", a.data);
	case MOAT_ACT_LOG:
		return snprintf(buf, size, "log");
	case MOAT_ACT_ALLOW:
		return snprintf(buf, size, "allow");
	default:
		return snprintf(buf, size, "action_%u", a.kind);
	}
}
