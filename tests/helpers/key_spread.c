// SPDX-License-Identifier: MIT
/*
 * key_spread nrs FIRST COUNT REPEAT: syscall numbers FIRST .. FIRST+COUNT-1,
 * each REPEAT times in a row, from one process.
 * key_spread pids NR COUNT REPEAT: COUNT child processes, one after the
 * other, each making syscall NR REPEAT times and exiting.
 * Many distinct (pid, syscall) keys for `moat run`'s flood limiter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void calls(long nr, long repeat)
{
	for (long r = 0; r < repeat; r++)
		syscall(nr, 0, 0, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	long first, count, repeat;

	if (argc != 5) {
		fprintf(stderr, "usage: key_spread nrs|pids NR COUNT REPEAT\n");
		return 2;
	}
	first = atol(argv[2]);
	count = atol(argv[3]);
	repeat = atol(argv[4]);
	for (long i = 0; i < count; i++) {
		if (!strcmp(argv[1], "nrs")) {
			calls(first + i, repeat);
			continue;
		}
		pid_t pid = fork();
		int st;

		if (pid < 0)
			return 1;
		if (pid == 0) {
			calls(first, repeat);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
	}
	return 0;
}
