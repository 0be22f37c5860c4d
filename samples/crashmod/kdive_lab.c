// SPDX-License-Identifier: GPL-2.0
/*
 * kdive_lab: provokes one real kernel crash, chosen by name, so kdive can be tested on real
 * dumps of an unmodified distribution kernel (Debian has no LKDTM).
 *
 *   echo slab-uaf > /sys/kernel/debug/kdive_lab/crash
 *
 * Before crashing it prints the facts a test needs as "kdive-lab: gt KEY=VALUE" lines on the
 * console, so the ground truth is what the module saw, never reconstructed from the dump.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/slab.h>
/*
 * struct kmem_cache (offset, random, name) lives in slub_def.h, whose unused inline helpers need
 * mm/slab.h's private struct slab. These two declarations only let those helpers compile; the
 * module never calls them.
 */
struct slab { unsigned int objects; };
static inline void *slab_address(const struct slab *slab) { return NULL; }
#include <linux/slub_def.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/list.h>
#include <linux/completion.h>
#include <linux/sysrq.h>
#include <linux/swab.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/delay.h>

#define GT(fmt, ...) pr_emerg("kdive-lab: gt " fmt "\n", ##__VA_ARGS__)

static struct dentry *dir;

/* @provoker: the module function that provokes the crash (where the kernel takes over is in the oops). */
static void gt_context(const char *scenario, const char *provoker)
{
	GT("scenario=%s", scenario);
	GT("release=%s", utsname()->release);
	GT("cpu=%d", raw_smp_processor_id());
	GT("pid=%d", task_pid_nr(current));
	GT("comm=%s", current->comm);
	GT("provoker=%s", provoker);
}

/* The kmalloc cache that serves @size, as kmalloc() itself picks it (include/linux/slab.h). */
static struct kmem_cache *kmalloc_cache_for(size_t size)
{
	return kmalloc_caches[kmalloc_type(GFP_KERNEL)][kmalloc_index(size)];
}

/*
 * How SLUB stores a free pointer (mm/slub.c, freelist_ptr()): with SLAB_FREELIST_HARDENED the
 * word at object + s->offset is next ^ s->random ^ swab(address of that word).
 */
static unsigned long encode_free_pointer(struct kmem_cache *s, unsigned long next, unsigned long slot)
{
#ifdef CONFIG_SLAB_FREELIST_HARDENED
	return next ^ s->random ^ swab(slot);
#else
	return next;
#endif
}

static void gt_cache(struct kmem_cache *s)
{
	GT("cache=%s", s->name);
	GT("object_size=%u", s->object_size);
	GT("free_pointer_offset=%u", s->offset);
#ifdef CONFIG_SLAB_FREELIST_HARDENED
	GT("random=0x%lx", s->random);
#endif
}

static noinline void kdive_lab_panic(void)
{
	gt_context("panic", __func__);
	handle_sysrq('c');
}

static noinline void kdive_lab_null_deref(void)
{
	int *volatile p = NULL;

	gt_context("null-deref", __func__);
	GT("fault_address=0x0");
	*p = 0x6b646976;
}

static noinline void kdive_lab_bug(void)
{
	gt_context("bug", __func__);
	BUG();
}

/*
 * Write-after-free over a freed object's free pointer, then allocate: the first allocation hands
 * the victim out and loads the forged pointer into the per-cpu freelist; the second dereferences
 * it in the SLUB fast path (slab_alloc_node -> get_freepointer_safe) and takes a GPF, as in the
 * kmem_cache_alloc_trace crash this project started from.
 */
static noinline void kdive_lab_slab_uaf(void)
{
	struct kmem_cache *s = kmalloc_cache_for(192);
	unsigned long slot, decoded, raw;
	void *victim, *a, *b;

	gt_context("slab-uaf", __func__);
	gt_cache(s);
	preempt_disable();
	victim = kmalloc(192, GFP_ATOMIC);
	kfree(victim);
	slot = (unsigned long)victim + s->offset;
	/* Clear bits 40..47 of a direct-map address: non-canonical, like ffff00088fec6500. */
	decoded = (unsigned long)victim & ~0x0000ff0000000000UL;
	raw = encode_free_pointer(s, decoded, slot);
	GT("object=0x%lx", (unsigned long)victim);
	GT("slot=0x%lx", slot);
	GT("raw_pointer=0x%lx", raw);
	GT("decoded_pointer=0x%lx", decoded);
	GT("fault_address=0x%lx", decoded + s->offset);
	*(unsigned long *)slot = raw;
	a = kmalloc(192, GFP_ATOMIC);
	b = kmalloc(192, GFP_ATOMIC);
	preempt_enable();
	pr_emerg("kdive-lab: slab-uaf did not crash (a=%px b=%px)\n", a, b);
}

static noinline void kdive_lab_double_free(void)
{
	struct kmem_cache *s = kmalloc_cache_for(192);
	void *victim;

	gt_context("double-free", __func__);
	gt_cache(s);
	preempt_disable();
	victim = kmalloc(192, GFP_ATOMIC);
	GT("object=0x%lx", (unsigned long)victim);
	kfree(victim);
	/* SLAB_FREELIST_HARDENED's set_freepointer() BUG()s when the freed object heads the freelist. */
	kfree(victim);
	preempt_enable();
	pr_emerg("kdive-lab: double-free did not crash\n");
}

/*
 * With slub_debug=FZPU on kmalloc-192 (the scenario's kernel command line): free an object, write
 * into it, and panic before SLUB's next check of that object would report and repair the poison.
 * The dump keeps what slub_debug leaves for a post-mortem: poison with the write in it, red zones
 * and the object's alloc and free tracks.
 */
static noinline void kdive_lab_slab_poison(void)
{
	struct kmem_cache *s = kmalloc_cache_for(192);
	char *victim;

	gt_context("slab-poison", __func__);
	gt_cache(s);
	GT("flags=0x%lx", (unsigned long)s->flags);
	victim = kmalloc(192, GFP_KERNEL);
	kfree(victim);
	GT("object=0x%lx", (unsigned long)victim);
	GT("write_offset=16");
	GT("write_length=4");
	GT("write_byte=0x41");
	memset(victim + 16, 0x41, 4);
	panic("kdive-lab: slab-poison: wrote into freed object %px", victim);
}

static noinline void kdive_lab_list_corrupt(void)
{
	static LIST_HEAD(head);
	static struct list_head first, second;

	gt_context("list-corrupt", __func__);
	list_add(&first, &head);
	first.prev = (struct list_head *)0xdead000000000122UL;
	GT("list_head=0x%lx", (unsigned long)&head);
	GT("corrupted_entry=0x%lx", (unsigned long)&first);
	list_add(&second, &head);
	pr_emerg("kdive-lab: list-corrupt did not crash\n");
}

static noinline void kdive_lab_soft_lockup(void)
{
	gt_context("soft-lockup", __func__);
	preempt_disable();
	for (;;)
		cpu_relax();
}

static DECLARE_COMPLETION(never_completed);

static noinline void kdive_lab_hung_task(void)
{
	/* The victim sleeps in D state; khungtaskd is the task that panics. */
	gt_context("hung-task", __func__);
	wait_for_completion(&never_completed);
}

static const struct scenario {
	const char *name;
	void (*crash)(void);
} scenarios[] = {
	{ "panic", kdive_lab_panic },
	{ "null-deref", kdive_lab_null_deref },
	{ "bug", kdive_lab_bug },
	{ "slab-uaf", kdive_lab_slab_uaf },
	{ "double-free", kdive_lab_double_free },
	{ "slab-poison", kdive_lab_slab_poison },
	{ "list-corrupt", kdive_lab_list_corrupt },
	{ "soft-lockup", kdive_lab_soft_lockup },
	{ "hung-task", kdive_lab_hung_task },
};

static ssize_t crash_write(struct file *file, const char __user *ubuf, size_t len, loff_t *pos)
{
	char name[32];
	size_t n = min(len, sizeof(name) - 1);
	int i;

	if (copy_from_user(name, ubuf, n))
		return -EFAULT;
	name[n] = '\0';
	strim(name);
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (!strcmp(name, scenarios[i].name)) {
			scenarios[i].crash();
			return len;
		}
	}
	pr_err("kdive-lab: unknown scenario '%s'; known: panic null-deref bug slab-uaf double-free slab-poison list-corrupt soft-lockup hung-task\n",
	       name);
	return -EINVAL;
}

static const struct file_operations crash_fops = {
	.owner = THIS_MODULE,
	.write = crash_write,
};

static int __init kdive_lab_init(void)
{
	dir = debugfs_create_dir("kdive_lab", NULL);
	debugfs_create_file("crash", 0200, dir, NULL, &crash_fops);
	return 0;
}

static void __exit kdive_lab_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(kdive_lab_init);
module_exit(kdive_lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kdive lab: provokes named kernel crashes for crash-dump tests");
