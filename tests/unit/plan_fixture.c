/* The planner's data set (plan_fixture.h). */
#include "plan_fixture.h"

#include <string.h>

#include "analysis/classify.h"

void plan_dataset(struct plan_app apps[4], struct scset *os)
{
	static const char *const names[4] = {"a", "b", "c", "d"};
	memset(apps, 0, 4 * sizeof(apps[0]));
	for (int i = 0; i < 4; i++)
		apps[i].name = names[i];
	apps[0].cls[0] = apps[0].cls[1] = FC_REQUIRED;
	apps[0].cls[3] = FC_STUB;
	apps[0].cls[6] = apps[0].cls[7] = FC_BOTH;
	apps[1].cls[4] = FC_REQUIRED;
	apps[1].cls[3] = FC_FAKE;
	apps[2].cls[4] = apps[2].cls[5] = FC_REQUIRED;
	apps[3].cls[0] = apps[3].cls[2] = FC_REQUIRED;
	memset(os, 0, sizeof(*os));
	scset_add(os, 0), scset_add(os, 1), scset_add(os, 2);
}
