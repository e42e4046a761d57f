// SPDX-License-Identifier: MIT
/* Diagnostics collected by the library and formatted by the CLI. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/policy.h"

void moat_diags_init(struct moat_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void moat_diags_free(struct moat_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
		free(d->v[i].source_line);
		free(d->v[i].chain);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int moat_diags_add(struct moat_diags *d, int level, const char *file, uint32_t line, uint32_t col,
		   uint32_t len, const char *source_line, const char *chain, const char *fmt, ...)
{
	struct moat_diag g = { .level = level, .line = line, .col = col, .len = len ? len : 1 };
	va_list ap;
	int n;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct moat_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&g.msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (dup_opt(&g.file, file) || dup_opt(&g.source_line, source_line) ||
	    dup_opt(&g.chain, chain)) {
		free(g.msg);
		free(g.file);
		free(g.source_line);
		free(g.chain);
		return -ENOMEM;
	}
	/* Keep only the first line of the source: the caret goes under it. */
	if (g.source_line)
		g.source_line[strcspn(g.source_line, "\r\n")] = 0;
	d->v[d->n++] = g;
	if (level == MOAT_DIAG_ERROR)
		d->nerrors++;
	return 0;
}

static const char *level_name(int level)
{
	return level == MOAT_DIAG_ERROR ? "error" : level == MOAT_DIAG_WARNING ? "warning" : "note";
}

int moat_diag_format(const struct moat_diag *d, char **out)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return -ENOMEM;
	if (d->file && d->line)
		fprintf(f, "%s:%u:%u: ", d->file, d->line, d->col ? d->col : 1);
	else if (d->file)
		fprintf(f, "%s: ", d->file);
	fprintf(f, "%s: %s\n", level_name(d->level), d->msg);
	if (d->source_line && d->col) {
		fprintf(f, "  %s\n  ", d->source_line);
		/* Tabs stay tabs so the caret lines up under the token. */
		for (uint32_t i = 1; i < d->col && d->source_line[i - 1]; i++)
			fputc(d->source_line[i - 1] == '\t' ? '\t' : ' ', f);
		fputc('^', f);
		for (uint32_t i = 1; i < d->len; i++)
			fputc('~', f);
		fputc('\n', f);
	}
	if (d->chain)
		fprintf(f, "%s%s", d->chain, d->chain[strlen(d->chain) - 1] == '\n' ? "" : "\n");
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
