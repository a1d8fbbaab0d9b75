/* A livepatch source that klpcheck's import reads only in part. */
#include <linux/livepatch.h>

static int damaged_pre_patch(struct klp_object *obj)
{
	return register_damaged_hook(obj);
}

static struct klp_object objs[] = {
	{
		.name = damaged_target_name(),
		.callbacks = { .pre_patch = damaged_pre_patch },
	}, {
		.name = "damaged_target",
		.callbacks = {
			.pre_patch = damaged_pre_patch,
			.post_patch = hooks[1],
			.post_unpatch = external_cleanup,
		},
	}, {
		.name = "damaged_target",
	},
	{ },
};

static struct klp_state states[] = {
	{ .id = DAMAGED_STATE_ID, .version = 1 },
	{ .id = 3, .version = "two" },
};

static struct klp_patch patch = {
	.objs = objs,
	.states = states,
	.replace = replace_flag,
};

static struct klp_patch second = { .objs = objs };

static void damaged_exit(void)
{
	klp_disable(&patch;
