// SPDX-License-Identifier: MIT
/*
 * The eBPF recorder on the real kernel (root): exact counts of a
 * deterministic program, i386 calls through int 0x80 kept apart, attach to
 * a running process, a cgroup, and losses counted when the maps are full.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "moat/record.h"
#include "moat/spawn.h"

#define X64 MOAT_ARCH_X86_64

static uint64_t cnt(const struct moat_recording *r, enum moat_arch a, const char *name)
{
	int64_t nr = moat_syscall_nr(a, name);

	assert_true(nr >= 0);
	return r->counts[a][nr];
}

static int need_root(void **state)
{
	if (geteuid() != 0) {
		print_message("# SKIP eBPF recording needs root\n");
		return -1;
	}
	return 0;
}

static void helper_path(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(n > 0);
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	assert_true((size_t)snprintf(buf, size, "%.*s/helpers/rec_syscalls", PATH_MAX - 32, exe) <
		    size);
}

static void test_spawned_exact_counts(void **state)
{
	char path[PATH_MAX];
	char *argv[] = { path, "--compat", NULL };
	struct moat_recorder *rec;
	struct moat_recording *r;
	struct moat_spawn *sp;
	const struct moat_rec_values *v;
	int status;

	if (need_root(state))
		skip();
	helper_path(path, sizeof(path));
	assert_int_equal(moat_recorder_new(NULL, &rec), 0);
	assert_int_equal(moat_spawn_new(argv, &sp), 0);
	assert_int_equal(moat_recorder_track_spawned(rec, moat_spawn_pid(sp)), 0);
	assert_int_equal(moat_spawn_release(sp), 0);
	assert_int_equal(moat_spawn_wait(sp, &status, 0), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	moat_spawn_free(sp);
	assert_int_equal(moat_recorder_collect(rec, &r), 0);
	/* Gone from the set once its last process exited. */
	assert_int_equal(moat_recorder_ntracked(rec), 0);
	moat_recorder_free(rec);

	/* The numbers the helper's source makes (tests/helpers/rec_syscalls.c). */
	assert_int_equal(cnt(r, X64, "execve"), 1); /* its own, nothing of the spawn glue */
	assert_int_equal(cnt(r, X64, "getppid"), 1000 + 100 + 7);
	assert_int_equal(cnt(r, MOAT_ARCH_I386, "getppid"), 7);
	assert_int_equal(cnt(r, X64, "gettid"), 50);
	assert_int_equal(cnt(r, X64, "prctl"), 5);
	assert_int_equal(cnt(r, X64, "socket"), 4);
	assert_int_equal(cnt(r, X64, "ioctl"), 4);
	assert_int_equal(cnt(r, X64, "fcntl"), 2);
	assert_int_equal(cnt(r, X64, "pipe2"), 1);
	assert_int_equal(cnt(r, X64, "wait4"), 1);
	assert_int_equal(cnt(r, X64, "exit_group"), 2); /* parent and forked child */
	assert_int_equal(moat_recording_lost(r), 0);

	v = moat_recording_values(r, X64, moat_syscall_nr(X64, "socket"), 0);
	assert_non_null(v);
	assert_int_equal(v->n, 2);
	assert_int_equal(v->v[0], AF_UNIX);
	assert_int_equal(v->v[1], AF_INET);
	v = moat_recording_values(r, X64, moat_syscall_nr(X64, "prctl"), 0);
	assert_int_equal(v->n, 1);
	assert_int_equal(v->v[0], PR_GET_DUMPABLE);
	v = moat_recording_values(r, X64, moat_syscall_nr(X64, "fcntl"), 1);
	assert_int_equal(v->n, 1);
	assert_int_equal(v->v[0], F_GETFD);
	/* pthread_create's clone3 flags, read from struct clone_args. */
	if (cnt(r, X64, "clone3")) {
		v = moat_recording_values(r, X64, moat_syscall_nr(X64, "clone3"), 0);
		assert_non_null(v);
		assert_true(v->v[0] & CLONE_THREAD);
	}
	moat_recording_free(r);
}

/* A child of the test that waits for a byte, then makes N getppid and one fork. */
static pid_t start_waiting_child(int *gate_w, int n)
{
	int gate[2];
	pid_t pid;

	assert_int_equal(pipe(gate), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		close(gate[1]);
		if (read(gate[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < n; i++)
			syscall(SYS_getppid);
		pid = fork();
		if (pid == 0) {
			for (int i = 0; i < 20; i++)
				syscall(SYS_gettid);
			socket(AF_UNIX, SOCK_DGRAM, 0);
			socket(AF_INET, SOCK_DGRAM, 0);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		_exit(0);
	}
	close(gate[0]);
	*gate_w = gate[1];
	return pid;
}

static void test_attach_pid(void **state)
{
	struct moat_recorder *rec;
	struct moat_recording *r;
	int gate, status;
	pid_t pid;

	if (need_root(state))
		skip();
	assert_int_equal(moat_recorder_new(NULL, &rec), 0);
	pid = start_waiting_child(&gate, 300);
	assert_int_equal(moat_recorder_track_pid(rec, pid), 0);
	assert_int_equal(write(gate, "x", 1), 1);
	close(gate);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(moat_recorder_collect(rec, &r), 0);
	moat_recorder_free(rec);
	assert_int_equal(cnt(r, X64, "getppid"), 300);
	assert_int_equal(cnt(r, X64, "gettid"), 20); /* the forked grandchild, followed */
	assert_int_equal(cnt(r, X64, "socket"), 2);
	assert_int_equal(moat_recording_lost(r), 0);
	moat_recording_free(r);
}

static void test_losses_counted(void **state)
{
	struct moat_record_opts o = { .max_pids = 1, .max_values = 1 };
	struct moat_recorder *rec;
	struct moat_recording *r;
	int gate, status;
	pid_t pid;

	if (need_root(state))
		skip();
	assert_int_equal(moat_recorder_new(&o, &rec), 0);
	pid = start_waiting_child(&gate, 10);
	assert_int_equal(moat_recorder_track_pid(rec, pid), 0);
	assert_int_equal(write(gate, "x", 1), 1);
	close(gate);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(moat_recorder_collect(rec, &r), 0);
	moat_recorder_free(rec);
	/* The child fills the one-entry set: its fork could not be followed. */
	assert_int_equal(r->losses.track_full, 1);
	assert_int_equal(cnt(r, X64, "gettid"), 0);
	assert_int_equal(cnt(r, X64, "getppid"), 10);
	moat_recording_free(r);

	/* One value slot: the second socket()'s three new values are lost. */
	o.max_pids = 0;
	assert_int_equal(moat_recorder_new(&o, &rec), 0);
	pid = start_waiting_child(&gate, 0);
	assert_int_equal(moat_recorder_track_pid(rec, pid), 0);
	assert_int_equal(write(gate, "x", 1), 1);
	close(gate);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(moat_recorder_collect(rec, &r), 0);
	moat_recorder_free(rec);
	assert_int_equal(cnt(r, X64, "socket"), 2);
	assert_int_equal(r->nvalues, 1);
	/* The fork's clone flags took the slot; the 2 x 3 socket values are lost. */
	assert_int_equal(r->losses.values_full, 6);
	moat_recording_free(r);
}

static void test_cgroup(void **state)
{
	char dir[] = "/sys/fs/cgroup/unified/moat-test-XXXXXX", procs[PATH_MAX], buf[32];
	struct moat_record_opts o = { .cgroup_path = dir };
	struct moat_recorder *rec;
	struct moat_recording *r;
	int gate, status, fd;
	pid_t pid;

	if (need_root(state))
		skip();
	if (!mkdtemp(dir)) {
		/* Not every CI mounts cgroup v2 there; say so rather than pass. */
		print_message("# SKIP no writable cgroup v2 at /sys/fs/cgroup/unified\n");
		skip();
	}
	assert_int_equal(moat_recorder_new(&o, &rec), 0);
	pid = start_waiting_child(&gate, 123);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	fd = open(procs, O_WRONLY);
	assert_true(fd >= 0);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	assert_true(write(fd, buf, strlen(buf)) > 0);
	close(fd);
	assert_int_equal(write(gate, "x", 1), 1);
	close(gate);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(moat_recorder_collect(rec, &r), 0);
	moat_recorder_free(rec);
	rmdir(dir);
	assert_int_equal(cnt(r, X64, "getppid"), 123);
	assert_int_equal(cnt(r, X64, "gettid"), 20); /* children stay in the cgroup */
	moat_recording_free(r);
}

static void test_spawn_errors(void **state)
{
	char *missing[] = { "moat-no-such-command-xyz", NULL };
	char file[] = "/tmp/moat-noexec-XXXXXX";
	char *notexec[] = { file, NULL };
	char *empty[] = { NULL };
	struct moat_spawn *sp = NULL;
	int fd = mkstemp(file);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(moat_spawn_new(missing, &sp), -ENOENT);
	/* Even root cannot execute a file without any x bit. */
	assert_int_equal(moat_spawn_new(notexec, &sp), -EACCES);
	unlink(file);
	assert_int_equal(moat_spawn_new(empty, &sp), -EINVAL);
	moat_spawn_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawned_exact_counts), cmocka_unit_test(test_attach_pid),
		cmocka_unit_test(test_losses_counted),	     cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_spawn_errors),
	};

	return MOAT_RUN_TESTS(tests);
}
