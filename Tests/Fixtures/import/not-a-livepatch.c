// A plain C file: no klp_patch, no klp_object, no callback macro.
#include <linux/module.h>

static int plain_init(void)
{
	return 0;
}
module_init(plain_init);
