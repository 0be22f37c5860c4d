/* A small real program for the ELF, symbol, DWARF and type tests: gcc -g -O2 compiles it with an
 * inlined helper, so its line table and inline chains look like the kernel's. */
#include <stdio.h>
#include <stdlib.h>

struct point {
	int x;
	long y;
	unsigned int flags : 3;
	unsigned int kind : 5;
	struct point *next;
	char name[16];
};

static inline __attribute__((always_inline)) long weigh(const struct point *p)
{
	return p->x * 3 + p->y;
}

__attribute__((noinline)) long total(const struct point *p)
{
	long sum = 0;
	for (; p; p = p->next)
		sum += weigh(p);
	return sum;
}

int main(int argc, char **argv)
{
	struct point a = { .x = argc, .y = 2, .flags = 1, .kind = 7, .next = NULL, .name = "a" };
	struct point b = { .x = 3, .y = argc, .next = &a, .name = "b" };
	printf("%ld\n", total(&b));
	return argv[0] == NULL;
}
