// SPDX-License-Identifier: GPL-2.0
/*
 * A cumulative (replace) livepatch for klpcheck's import tests with two
 * klp_states whose ids and versions are macros. State LOGLEVEL_STATE
 * carries a kzalloc'ed int that saves console_loglevel while the patch
 * raises it; the quota setting is saved in a static variable.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/printk.h>
#include <linux/livepatch.h>

#define LIVEPATCH_NAME "loglevel_fix"

#define LOGLEVEL_STATE		1
#define LOGLEVEL_STATE_VERSION	2
#define QUOTA_STATE		7
#define QUOTA_STATE_VERSION	(LOGLEVEL_STATE_VERSION - 1 + \
				 0)

extern int sysctl_demo_quota;

static struct klp_patch patch;
static int saved_quota;

static int alloc_loglevel(void)
{
	struct klp_state *state, *prev;

	prev = klp_get_prev_state(LOGLEVEL_STATE);
	if (prev)
		return 0;

	state = klp_get_state(&patch, LOGLEVEL_STATE);
	if (!state)
		return -EINVAL;

	state->data = kzalloc(sizeof(int), GFP_KERNEL);
	if (!state->data)
		return -ENOMEM;
	return 0;
}

static int fix_pre_patch(struct klp_object *obj)
{
	int ret;

	ret = alloc_loglevel();
	if (ret)
		pr_err("cannot allocate the loglevel state: %d\n", ret);
	return ret;
}

static void fix_post_patch(struct klp_object *obj)
{
	struct klp_state *state = klp_get_state(&patch, LOGLEVEL_STATE);

	*(int *)state->data = console_loglevel;
	console_loglevel = CONSOLE_LOGLEVEL_MOTORMOUTH;
	saved_quota = sysctl_demo_quota;
	sysctl_demo_quota = 4096;
}

static void fix_pre_unpatch(struct klp_object *obj)
{
	struct klp_state *state = klp_get_state(&patch, LOGLEVEL_STATE);

	console_loglevel = *(int *)state->data;
	sysctl_demo_quota = saved_quota;
}

static void fix_post_unpatch(struct klp_object *obj)
{
	struct klp_state *state;

	state = klp_get_state(&patch, LOGLEVEL_STATE);
	kfree(state->data);
}

static struct klp_func no_funcs[] = { { } };

static struct klp_object objs[] = {
	{
		/* vmlinux */
		.funcs = no_funcs,
		.callbacks = {
			.pre_patch = fix_pre_patch,
			.post_patch = fix_post_patch,
			.pre_unpatch = fix_pre_unpatch,
			.post_unpatch = fix_post_unpatch,
		},
	}, { }
};

static struct klp_state states[] = {
	{
		.version = LOGLEVEL_STATE_VERSION,
		.id = LOGLEVEL_STATE,
	},
	{
		.id = QUOTA_STATE,
		.version = QUOTA_STATE_VERSION,
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.states = states,
	.replace = true,
};

static int fix_init(void)
{
	return klp_enable_patch(&patch);
}

static void fix_exit(void)
{
}

module_init(fix_init);
module_exit(fix_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
