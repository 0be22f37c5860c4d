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
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/list.h>
#include <linux/completion.h>
#include <linux/sysrq.h>
#include <linux/swab.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/delay.h>
#include <linux/build_bug.h>
/*
 * struct kmem_cache and struct slab are private to mm/ (mm/slab.h; linux/slub_def.h is gone since
 * 6.8). kdive_layout.h is generated at build time from the .BTF of this very kernel (the vmlinux in
 * linux-headers-<abi>, or the one decompressed from vmlinuz) by layout-header.py, so the module
 * reads the fields at the offsets the kernel itself uses, with no version checks.
 */
#include "kdive_layout.h"

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

/* A member of the private struct kmem_cache, at the offset kdive_layout.h took from the kernel's BTF. */
#define KC(s, member, type) ({							\
	BUILD_BUG_ON(sizeof(type) != KDIVE_SIZE_kmem_cache_##member);		\
	*(const type *)((const char *)(s) + KDIVE_OFF_kmem_cache_##member);	\
})

/*
 * The cache that really holds @obj: its slab's slab_cache (struct slab overlays the slab's folio).
 * This is what kmalloc() picked, whatever its selection logic (kmalloc_type(), random kmalloc
 * caches, buckets) is in this kernel.
 */
static struct kmem_cache *cache_of(const void *obj)
{
	struct folio *folio = virt_to_folio(obj);

	if (!folio_test_slab(folio))
		return NULL;
	return *(struct kmem_cache *const *)((const char *)folio + KDIVE_OFF_slab_slab_cache);
}

/* kmem_cache_size() is the kernel's own exported reader of s->object_size: a check of the BTF offsets. */
static bool layout_ok(struct kmem_cache *s)
{
	if (s && KC(s, object_size, unsigned int) == kmem_cache_size(s))
		return true;
	pr_emerg("kdive-lab: kdive_layout.h does not match this kernel (cache %px); refusing to crash\n", s);
	return false;
}

#ifdef CONFIG_RANDOM_KMALLOC_CACHES
/* kmalloc() picks one of 16 copies of kmalloc-192 by call site: stay in the victim's cache. */
#define alloc_like_victim(s) kmem_cache_alloc(s, GFP_ATOMIC)
#else
#define alloc_like_victim(s) kmalloc(192, GFP_ATOMIC)
#endif

/*
 * How SLUB stores a free pointer (mm/slub.c, freelist_ptr()): with SLAB_FREELIST_HARDENED the
 * word at object + s->offset is next ^ s->random ^ swab(address of that word).
 */
static unsigned long encode_free_pointer(struct kmem_cache *s, unsigned long next, unsigned long slot)
{
#if KDIVE_HAS_kmem_cache_random
	return next ^ KC(s, random, unsigned long) ^ swab(slot);
#else
	return next;
#endif
}

static void gt_cache(struct kmem_cache *s)
{
	GT("cache=%s", KC(s, name, const char *));
	GT("object_size=%u", KC(s, object_size, unsigned int));
	GT("free_pointer_offset=%u", KC(s, offset, unsigned int));
#if KDIVE_HAS_kmem_cache_random
	GT("random=0x%lx", KC(s, random, unsigned long));
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
	struct kmem_cache *s;
	unsigned long slot, decoded, raw;
	void *victim, *a, *b;

	gt_context("slab-uaf", __func__);
	preempt_disable();
	victim = kmalloc(192, GFP_ATOMIC);
	s = cache_of(victim);
	kfree(victim);
	if (!layout_ok(s)) {
		preempt_enable();
		return;
	}
	gt_cache(s);
	slot = (unsigned long)victim + KC(s, offset, unsigned int);
	/* Clear bits 40..47 of a direct-map address: non-canonical, like ffff00088fec6500. */
	decoded = (unsigned long)victim & ~0x0000ff0000000000UL;
	raw = encode_free_pointer(s, decoded, slot);
	GT("object=0x%lx", (unsigned long)victim);
	GT("slot=0x%lx", slot);
	GT("raw_pointer=0x%lx", raw);
	GT("decoded_pointer=0x%lx", decoded);
	GT("fault_address=0x%lx", decoded + KC(s, offset, unsigned int));
	*(unsigned long *)slot = raw;
	a = alloc_like_victim(s);
	b = alloc_like_victim(s);
	preempt_enable();
	pr_emerg("kdive-lab: slab-uaf did not crash (a=%px b=%px)\n", a, b);
}

/*
 * slab-uaf-deferred: the same forged free pointer, written into a freed kmalloc-cg-192 object (the
 * accounted cache, which CONFIG_RANDOM_KMALLOC_CACHES leaves alone), and the module returns as if
 * nothing happened. The crash comes later, in whoever allocates from that cache on this CPU next:
 * lab-user's pipe loop (alloc_pipe_info() kzalloc()s a 168-byte pipe_inode_info with
 * GFP_KERNEL_ACCOUNT), or anything else that got there first. The crashing caller is innocent.
 */
static noinline void kdive_lab_slab_uaf_deferred(void)
{
	struct kmem_cache *s;
	unsigned long slot, decoded, raw;
	void *victim;

	gt_context("slab-uaf-deferred", __func__);
	preempt_disable();
	victim = kmalloc(192, GFP_ATOMIC | __GFP_ACCOUNT);
	s = cache_of(victim);
	kfree(victim);
	if (!layout_ok(s)) {
		preempt_enable();
		return;
	}
	gt_cache(s);
	slot = (unsigned long)victim + KC(s, offset, unsigned int);
	decoded = (unsigned long)victim & ~0x0000ff0000000000UL;
	raw = encode_free_pointer(s, decoded, slot);
	GT("object=0x%lx", (unsigned long)victim);
	GT("slot=0x%lx", slot);
	GT("raw_pointer=0x%lx", raw);
	GT("decoded_pointer=0x%lx", decoded);
	GT("fault_address=0x%lx", decoded + KC(s, offset, unsigned int));
	*(unsigned long *)slot = raw;
	preempt_enable();
}

static noinline void kdive_lab_double_free(void)
{
	struct kmem_cache *s;
	void *victim;

	gt_context("double-free", __func__);
	preempt_disable();
	victim = kmalloc(192, GFP_ATOMIC);
	s = cache_of(victim);
	if (!layout_ok(s)) {
		kfree(victim);
		preempt_enable();
		return;
	}
	gt_cache(s);
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
	struct kmem_cache *s;
	char *victim;

	gt_context("slab-poison", __func__);
	victim = kmalloc(192, GFP_KERNEL);
	s = cache_of(victim);
	if (!layout_ok(s)) {
		kfree(victim);
		return;
	}
	gt_cache(s);
	GT("flags=0x%lx", (unsigned long)KC(s, flags, unsigned int));
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
	{ "slab-uaf-deferred", kdive_lab_slab_uaf_deferred },
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
	pr_err("kdive-lab: unknown scenario '%s'; known: panic null-deref bug slab-uaf slab-uaf-deferred double-free slab-poison list-corrupt soft-lockup hung-task\n",
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
