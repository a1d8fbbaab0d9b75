/* A klp_patch whose object array holds only its terminator. */
#include <linux/livepatch.h>

static struct klp_object objs[] = {
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};
