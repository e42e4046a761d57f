/* SPDX-License-Identifier: MIT */
/*
 * Which syscall ABI a task's current call came in by, and the call's number
 * at sys_exit: shared by moat's eBPF programs. Include after vmlinux.h.
 */
#ifndef MOAT_ABI_BPF_H
#define MOAT_ABI_BPF_H

/* arch/x86/include/asm/thread_info.h; a macro, so not in BTF. */
#define MOAT_TS_COMPAT 0x0002

/*
 * An i386 call (int 0x80, also from a 64-bit process)? The kernel marks it
 * with TS_COMPAT, what syscall_get_arch() and seccomp use; pt_regs->cs
 * would still say 64-bit. The number and argument registers are i386 ones.
 */
static __always_inline bool moat_task_compat(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	return task->thread_info.status & MOAT_TS_COMPAT;
#else
	return false;
#endif
}

/*
 * The number of the call a sys_exit belongs to: the saved one (ax already
 * holds the result). rt_sigreturn restores it to -1.
 */
static __always_inline long moat_exit_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#else
	return regs->syscallno;
#endif
}

#endif
