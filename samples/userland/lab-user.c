// SPDX-License-Identifier: GPL-2.0
/*
 * The user processes that run inside the lab guest when it crashes, so that ps, files, bt -a and
 * rd -u have something true to show. Each keeps a marker string at a known user address and
 * logs "kdive-lab: marker role=R pid=P addr=A text=T" for the ground truth.
 *
 * The lines go through /dev/kmsg, not stdout: a write to the console's tty races the kernel's own
 * printk output and can land in the middle of an oops, or after the crash has stopped the machine.
 * A /dev/kmsg record is ordered with the kernel's own and is flushed to the console by panic()
 * (kernel/printk/printk.c, devkmsg_write() and console_flush_on_panic()). Each role then creates
 * /tmp/ready-ROLE, so /init starts the trigger only once every marker is in the log.
 *
 *   lab-user sleeper | busy | files | hostile NAME | trigger SCENARIO
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* One page per role at a fixed, recognisable user address. */
#define MARKER_BASE 0x6b6400000000UL

/* One log line, as a user-facility notice (<13> = LOG_USER | LOG_NOTICE); stdout if there is no /dev/kmsg. */
static void say(const char *fmt, ...)
{
	char line[512];
	int n, fd;
	va_list ap;

	n = snprintf(line, sizeof(line), "<13>");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, line, n) != n) {
		fputs(line + 4, stdout);
		fflush(stdout);
	}
	if (fd >= 0)
		close(fd);
}

/* Tells /init that this role's lines are in the log (samples/init.sh waits for every role). */
static void ready(const char *role)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/ready-%s", role);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

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
	say("kdive-lab: marker role=%s pid=%d addr=0x%lx text=%s\n", role, getpid(), (unsigned long)page, page);
}

int main(int argc, char **argv)
{
	const char *role = argc > 1 ? argv[1] : "";
	char name[16];

	snprintf(name, sizeof(name), "lab-%s", role);
	prctl(PR_SET_NAME, name);
	if (!strcmp(role, "sleeper")) {
		marker(role, 1);
		ready(role);
		for (;;)
			pause();
	} else if (!strcmp(role, "hostile") && argc > 2) {
		/*
		 * A task named in markup, as whoever ran a crashed machine may name one: its comm (cut
		 * to TASK_COMM_LEN - 1 bytes by the kernel) and its argv are HTML. Viewers must show
		 * them as text.
		 */
		prctl(PR_SET_NAME, argv[2]);
		ready(role);
		for (;;)
			pause();
	} else if (!strcmp(role, "busy")) {
		volatile unsigned long spins = 0;

		marker(role, 2);
		ready(role);
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
		say("kdive-lab: files pid=%d regular=%d pipe=%d,%d socket=%d,%d\n", getpid(), fd, pipefd[0], pipefd[1],
		    sv[0], sv[1]);
		ready(role);
		for (;;)
			pause();
	} else if (!strcmp(role, "trigger") && argc > 2) {
		int fd = open("/sys/kernel/debug/kdive_lab/crash", O_WRONLY);

		marker(role, 4);
		if (fd < 0) {
			perror("lab-user: open /sys/kernel/debug/kdive_lab/crash");
			return 1;
		}
		/* One CPU for the module and the pipe loop below: the damage sits in that CPU's freelist. */
		cpu_set_t cpu0;

		CPU_ZERO(&cpu0);
		CPU_SET(0, &cpu0);
		sched_setaffinity(0, sizeof(cpu0), &cpu0);
		if (write(fd, argv[2], strlen(argv[2])) < 0) {
			perror("lab-user: crash scenario refused");
			return 1;
		}
		/*
		 * slab-uaf-deferred: other processes, unrelated to the module, allocating as programs do;
		 * one per CPU, pinned, so whichever CPU's freelist holds the damage meets it.
		 */
		for (int cpu = 0; !strcmp(argv[2], "slab-uaf-deferred") && cpu < sysconf(_SC_NPROCESSORS_ONLN); cpu++) {
			if (fork() == 0) {
				cpu_set_t one;
				int made = 0;

				CPU_ZERO(&one);
				CPU_SET(cpu, &one);
				sched_setaffinity(0, sizeof(one), &one);
				prctl(PR_SET_NAME, "lab-pipes");
				/*
				 * Hold pipes open in batches: a pipe() then close() would only hand the one damaged
				 * object back and forth; the second allocation in a row is what follows its pointer.
				 */
				for (int round = 0; round < 1000; round++) {
					int fds[2 * 200], n = 0;

					while (n < 2 * 200 && pipe(fds + n) == 0) {
						n += 2;
						made++;
					}
					while (n > 0)
						close(fds[--n]);
				}
				say("kdive-lab: slab-uaf-deferred: %d pipes on cpu %d and no crash\n", made, sched_getcpu());
				return 1;
			}
		}
		if (!strcmp(argv[2], "slab-uaf-deferred"))
			for (;;)
				pause(); /* the trigger stays, as in every other scenario, with its marker for ps, vm and rd -u */
		return 1;
	}
	fprintf(stderr, "usage: lab-user sleeper|busy|files|hostile NAME|trigger SCENARIO\n");
	return 2;
}
