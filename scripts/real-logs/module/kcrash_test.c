// SPDX-License-Identifier: GPL-2.0
/*
 * Crashes on demand, for real test logs (scripts/real-logs/make.sh). Write one word to
 * /sys/kernel/debug/kcrash_test/trigger:
 *   warn        WARN_ON two noinline calls deep
 *   null        a NULL write three noinline calls deep (an oops in process context)
 *   bug         BUG_ON
 *   hang        lock a mutex twice (the hung task detector reports the writer)
 *   softlockup  30 s of mdelay with preemption off (soft lockup)
 *   timer-null  a NULL write in a timer callback (an oops in softirq: Fatal exception in interrupt)
 *   nmi-warn    a WARN inside an NMI handler, the NMI sent by the CPU to itself
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/nmi.h>

static struct dentry *dir;
static DEFINE_MUTEX(kcrash_lock);
static struct timer_list kcrash_timer;
static int *volatile kcrash_null;
static atomic_t nmi_armed = ATOMIC_INIT(0);

static noinline void kcrash_warn_inner(int depth)
{
	WARN_ON(depth > 0);
}

static noinline void kcrash_warn_outer(int depth)
{
	kcrash_warn_inner(depth + 1);
	barrier();
}

static noinline void kcrash_null_write(int value)
{
	*kcrash_null = value;
}

static noinline void kcrash_null_middle(int value)
{
	kcrash_null_write(value + 1);
	barrier();
}

static noinline void kcrash_null_outer(int value)
{
	kcrash_null_middle(value + 1);
	barrier();
}

static noinline void kcrash_bug(int value)
{
	BUG_ON(value > 0);
}

static noinline void kcrash_hang(void)
{
	mutex_lock(&kcrash_lock);
	mutex_lock(&kcrash_lock);
}

static noinline void kcrash_spin(void)
{
	int i;

	preempt_disable();
	for (i = 0; i < 30000; i++)
		mdelay(1);
	preempt_enable();
}

static void kcrash_timer_fn(struct timer_list *t)
{
	kcrash_null_outer(1);
}

static int kcrash_nmi(unsigned int cmd, struct pt_regs *regs)
{
	if (!atomic_xchg(&nmi_armed, 0))
		return NMI_DONE;
	WARN_ON(cmd == NMI_LOCAL);
	return NMI_HANDLED;
}

static ssize_t trigger_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[16] = {};

	if (copy_from_user(buf, ubuf, min(count, sizeof(buf) - 1)))
		return -EFAULT;
	strim(buf);
	if (!strcmp(buf, "warn"))
		kcrash_warn_outer(0);
	else if (!strcmp(buf, "null"))
		kcrash_null_outer(1);
	else if (!strcmp(buf, "bug"))
		kcrash_bug(1);
	else if (!strcmp(buf, "hang"))
		kcrash_hang();
	else if (!strcmp(buf, "softlockup"))
		kcrash_spin();
	else if (!strcmp(buf, "timer-null"))
		mod_timer(&kcrash_timer, jiffies + 1);
	else if (!strcmp(buf, "nmi-warn")) {
		atomic_set(&nmi_armed, 1);
		apic->send_IPI_self(NMI_VECTOR);
	} else
		return -EINVAL;
	return count;
}

static const struct file_operations trigger_fops = {
	.owner = THIS_MODULE,
	.write = trigger_write,
};

static int __init kcrash_init(void)
{
	timer_setup(&kcrash_timer, kcrash_timer_fn, 0);
	register_nmi_handler(NMI_LOCAL, kcrash_nmi, 0, "kcrash");
	dir = debugfs_create_dir("kcrash_test", NULL);
	debugfs_create_file("trigger", 0200, dir, NULL, &trigger_fops);
	return 0;
}

static void __exit kcrash_exit(void)
{
	debugfs_remove_recursive(dir);
	unregister_nmi_handler(NMI_LOCAL, "kcrash");
	del_timer_sync(&kcrash_timer);
}

module_init(kcrash_init);
module_exit(kcrash_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Crashes on demand, for kernel-crash-log's real test logs");
