// SPDX-License-Identifier: GPL-2.0
/*
 * A callback demonstration for klpcheck's import tests, in the shape of a
 * livepatch module written against the kernel API: three objects (vmlinux
 * and two target modules), every object with all four callbacks.
 *
 * Loading with pre_patch_ret=-ENODEV makes every pre_patch refuse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static int pre_patch_ret;
module_param(pre_patch_ret, int, 0644);
MODULE_PARM_DESC(pre_patch_ret, "what every pre_patch returns (default 0)");

#define OBJ_NAME(o) ((o)->name ? (o)->name : "vmlinux")

static void say(const char *what, struct klp_object *obj)
{
	pr_info("%s: %s\n", what, \
		OBJ_NAME(obj));
}

static int demo_pre_patch(struct klp_object *obj)
{
	say(__func__, obj);
	return pre_patch_ret;
}

static void demo_post_patch(struct klp_object *obj)
{
	say(__func__, obj);
}

static void demo_pre_unpatch(struct klp_object *obj)
{
	say(__func__, obj);
}

static void demo_post_unpatch(struct klp_object *obj)
{
	say(__func__, obj);
}

static void demo_new_work(struct work_struct *work)
{
	pr_info("%s\n", __func__);
}

static struct klp_func nothing[] = {
	{ }
};

static struct klp_func busy_funcs[] = {
	{
		.new_func = demo_new_work,
		.old_name = "demo_busy_work",
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = NULL,	/* vmlinux */
		.funcs = nothing,
		.callbacks = {
			.pre_patch = demo_pre_patch,
			.post_patch = demo_post_patch,
			.pre_unpatch = demo_pre_unpatch,
			.post_unpatch = demo_post_unpatch,
		},
	},
	{
		.callbacks = {
			.post_unpatch = demo_post_unpatch,
			.pre_unpatch = demo_pre_unpatch,
			.post_patch = demo_post_patch,
			.pre_patch = demo_pre_patch,
		},
		.funcs = nothing,
		.name = "demo_target",
	}, {
		.name = "demo_target_busy",
		.funcs = busy_funcs,
		.callbacks = { .pre_patch = demo_pre_patch, .post_patch = demo_post_patch,
			       .pre_unpatch = demo_pre_unpatch, .post_unpatch = demo_post_unpatch },
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int demo_init(void)
{
	return klp_enable_patch(&patch);
}

static void demo_exit(void)
{
}

module_init(demo_init);
module_exit(demo_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
