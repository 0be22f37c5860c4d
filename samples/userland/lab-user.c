// SPDX-License-Identifier: GPL-2.0
/*
 * The user processes that run inside the lab guest when it crashes, so that ps, files, bt -a and
 * rd -u have something true to show. Each keeps a marker string at a known user address and
 * prints "kdive-lab: marker role=R pid=P addr=A text=T" on the console for the ground truth.
 *
 *   lab-user sleeper | busy | files | trigger SCENARIO
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* One page per role at a fixed, recognisable user address. */
#define MARKER_BASE 0x6b6400000000UL

static void marker(const char *role, unsigned long slot)
{
	void *want = (void *)(MARKER_BASE + slot * 0x10000UL);
	char *page = mmap(want, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page == MAP_FAILED) {
		perror("lab-user: mmap marker");
		exit(1);
	}
	snprintf(page, 4096, "KDIVE-MARKER role=%s pid=%d", role, getpid());
	printf("kdive-lab: marker role=%s pid=%d addr=0x%lx text=%s\n", role, getpid(),
	       (unsigned long)page, page);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *role = argc > 1 ? argv[1] : "";
	char name[16];

	snprintf(name, sizeof(name), "lab-%s", role);
	prctl(PR_SET_NAME, name);
	if (!strcmp(role, "sleeper")) {
		marker(role, 1);
		for (;;)
			pause();
	} else if (!strcmp(role, "busy")) {
		volatile unsigned long spins = 0;

		marker(role, 2);
		for (;;)
			spins++;
	} else if (!strcmp(role, "files")) {
		int pipefd[2], sv[2];
		int fd = open("/lab-file.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);

		marker(role, 3);
		if (fd < 0 || write(fd, "kdive lab regular file\n", 23) != 23 || pipe(pipefd) ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
			perror("lab-user: files");
			return 1;
		}
		printf("kdive-lab: files pid=%d regular=%d pipe=%d,%d socket=%d,%d\n", getpid(), fd,
		       pipefd[0], pipefd[1], sv[0], sv[1]);
		fflush(stdout);
		for (;;)
			pause();
	} else if (!strcmp(role, "trigger") && argc > 2) {
		int fd = open("/sys/kernel/debug/kdive_lab/crash", O_WRONLY);

		marker(role, 4);
		if (fd < 0) {
			perror("lab-user: open /sys/kernel/debug/kdive_lab/crash");
			return 1;
		}
		if (write(fd, argv[2], strlen(argv[2])) < 0)
			perror("lab-user: crash scenario refused");
		return 1;
	}
	fprintf(stderr, "usage: lab-user sleeper|busy|files|trigger SCENARIO\n");
	return 2;
}
