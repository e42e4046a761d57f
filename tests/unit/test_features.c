// SPDX-License-Identifier: MIT
/* The feature probes as a library: real probes on this kernel, no mocks. */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "moat/features.h"
#include "testutil.h"

static void test_probe(void **state)
{
	struct moat_features *f = NULL;
	struct utsname u;
	const struct moat_feature *x;

	assert_int_equal(moat_features_probe(&f), 0);
	assert_non_null(f);
	assert_int_equal(uname(&u), 0);
	assert_string_equal(f->kernel_release, u.release);
	x = moat_features_find(f, "kernel.version");
	assert_non_null(x);
	assert_string_equal(x->detail, u.release);
	/* seccomp filters exist on every kernel moat supports, root or not. */
	assert_true(moat_features_has(f, "seccomp.filter"));
	assert_true(moat_features_has(f, "seccomp.action.errno"));
	assert_null(moat_features_find(f, "no.such.feature"));
	assert_false(moat_features_has(f, "no.such.feature"));
	for (size_t i = 0; i < f->n; i++) {
		assert_non_null(f->v[i].id);
		assert_true(f->v[i].detail[0] != '\0');
		if (f->v[i].status != MOAT_FEATURE_AVAILABLE)
			assert_true(f->v[i].impact && f->v[i].impact[0]);
	}
	/* Without CAP_BPF, no BPF program may load (unprivileged_bpf_disabled aside). */
	if (!moat_features_has(f, "priv.cap_bpf") && !moat_features_has(f, "priv.cap_sys_admin") &&
	    !moat_features_has(f, "sysctl.unprivileged_bpf_disabled"))
		assert_false(moat_features_has(f, "bpf.prog.tp_btf"));
	/* ...and as root on this project's kernel, tp_btf loads. */
	if (geteuid() == 0)
		assert_true(moat_features_has(f, "bpf.prog.tp_btf"));
	moat_features_free(f);
	moat_features_free(NULL);
}

static void test_status_names(void **state)
{
	assert_string_equal(moat_feature_status_name(MOAT_FEATURE_AVAILABLE), "available");
	assert_string_equal(moat_feature_status_name(MOAT_FEATURE_MISSING), "missing");
	assert_string_equal(moat_feature_status_name(MOAT_FEATURE_ERROR), "error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_status_names),
	};

	return MOAT_RUN_TESTS(tests);
}
