// SPDX-License-Identifier: MIT
/* Tokenizer of the .moat policy language (one line at a time). */
#include <string.h>

#include "policy/lexer.h"

void moat_lex_init(struct moat_lexer *lx, const char *line, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->line = line;
	lx->len = len;
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Parses [s, s+n) as an unsigned number: 0x hex, 0 octal, else decimal. */
static const char *parse_number(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n > 1 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (n == 2 && base == 10 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return "invalid number";
	for (; i < n; i++) {
		int d = digit_value(s[i]);

		if (d >= (int)base)
			return base == 8 && d < 10 ? "invalid digit in octal number"
						   : "invalid number";
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return "number does not fit in 64 bits";
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return NULL;
}

static void lex_number(struct moat_lexer *lx, struct moat_tok *t, bool neg)
{
	size_t start = lx->pos + (neg ? 1 : 0), end = start;
	uint64_t v = 0;

	while (end < lx->len && (is_ident_char(lx->line[end]) && lx->line[end] != '-'))
		end++;
	/* The token's text includes the sign, for messages. */
	t->s = lx->line + lx->pos;
	t->slen = t->len = (uint32_t)(end - lx->pos);
	lx->pos = end;
	t->err = parse_number(lx->line + start, end - start, &v);
	if (!t->err && neg && v > (UINT64_C(1) << 63))
		t->err = "negative number does not fit in 64 bits";
	if (t->err) {
		t->kind = MOAT_T_ERR;
		return;
	}
	/* Negative values are their two's complement, as the kernel sees them. */
	t->num = neg ? (uint64_t)0 - v : v;
	t->kind = MOAT_T_NUM;
}

static void lex_string(struct moat_lexer *lx, struct moat_tok *t)
{
	size_t i = lx->pos + 1;

	while (i < lx->len && lx->line[i] != '"') {
		if (lx->line[i] == '\\' && i + 1 < lx->len)
			i++;
		i++;
	}
	if (i >= lx->len) {
		t->kind = MOAT_T_ERR;
		t->err = "unterminated string";
		t->len = (uint32_t)(lx->len - lx->pos);
		lx->pos = lx->len;
		return;
	}
	t->kind = MOAT_T_STR;
	t->s = lx->line + lx->pos + 1;
	t->slen = (uint32_t)(i - lx->pos - 1);
	t->len = (uint32_t)(i + 1 - lx->pos);
	lx->pos = i + 1;
}

void moat_lex_next(struct moat_lexer *lx, struct moat_tok *t)
{
	const char *l = lx->line;
	char c, n;

	memset(t, 0, sizeof(*t));
	while (lx->pos < lx->len && (l[lx->pos] == ' ' || l[lx->pos] == '\t'))
		lx->pos++;
	t->col = (uint32_t)lx->pos + 1;
	t->s = l + lx->pos;
	t->len = 1;
	if (lx->pos >= lx->len) {
		t->kind = MOAT_T_EOL;
		return;
	}
	c = l[lx->pos];
	n = lx->pos + 1 < lx->len ? l[lx->pos + 1] : 0;
	if (c == '#') {
		size_t s = lx->pos + 1, e = lx->len;

		while (s < e && (l[s] == ' ' || l[s] == '\t'))
			s++;
		while (e > s && (l[e - 1] == ' ' || l[e - 1] == '\t'))
			e--;
		lx->comment = l + s;
		lx->comment_len = e - s;
		lx->pos = lx->len;
		t->kind = MOAT_T_EOL;
		return;
	}
	if (is_ident_start(c)) {
		size_t e = lx->pos;

		while (e < lx->len && is_ident_char(l[e]))
			e++;
		t->kind = MOAT_T_IDENT;
		t->slen = t->len = (uint32_t)(e - lx->pos);
		lx->pos = e;
		return;
	}
	if (is_digit(c)) {
		lex_number(lx, t, false);
		return;
	}
	if (c == '-' && is_digit(n)) {
		lex_number(lx, t, true);
		return;
	}
	if (c == '"') {
		lex_string(lx, t);
		return;
	}
	if (c == '@') {
		size_t e = lx->pos + 1;

		while (e < lx->len && is_ident_char(l[e]))
			e++;
		t->len = (uint32_t)(e - lx->pos);
		lx->pos = e;
		if (t->len == 1) {
			t->kind = MOAT_T_ERR;
			t->err = "expected a group name after '@'";
			return;
		}
		t->kind = MOAT_T_GROUP;
		t->s++;
		t->slen = t->len - 1;
		return;
	}
	t->kind = MOAT_T_ERR;
	t->err = "unexpected character";
	switch (c) {
	case '&':
		t->kind = n == '&' ? MOAT_T_ANDAND : MOAT_T_AMP;
		break;
	case '|':
		t->kind = n == '|' ? MOAT_T_OROR : MOAT_T_PIPE;
		break;
	case '=':
		if (n == '=')
			t->kind = MOAT_T_EQ;
		else
			t->err = "'=' is not an operator (did you mean '=='?)";
		break;
	case '!':
		if (n == '=')
			t->kind = MOAT_T_NE;
		else
			t->err = "'!' is not an operator (did you mean '!='?)";
		break;
	case '<':
		t->kind = n == '=' ? MOAT_T_LE : MOAT_T_LT;
		break;
	case '>':
		t->kind = n == '=' ? MOAT_T_GE : MOAT_T_GT;
		break;
	case '{':
		t->kind = MOAT_T_LBRACE;
		break;
	case '}':
		t->kind = MOAT_T_RBRACE;
		break;
	case '(':
		t->kind = MOAT_T_LPAREN;
		break;
	case ')':
		t->kind = MOAT_T_RPAREN;
		break;
	case ',':
		t->kind = MOAT_T_COMMA;
		break;
	}
	switch (t->kind) {
	case MOAT_T_ANDAND:
	case MOAT_T_OROR:
	case MOAT_T_EQ:
	case MOAT_T_NE:
	case MOAT_T_LE:
	case MOAT_T_GE:
		t->len = 2;
		break;
	default:
		t->len = 1;
		break;
	}
	if (t->kind != MOAT_T_ERR)
		t->err = NULL;
	t->slen = t->len;
	lx->pos += t->len;
}

const char *moat_tok_kind_name(enum moat_tok_kind k)
{
	static const char *const names[] = {
		[MOAT_T_EOL] = "end of line",
		[MOAT_T_IDENT] = "a name",
		[MOAT_T_NUM] = "a number",
		[MOAT_T_STR] = "a string",
		[MOAT_T_GROUP] = "a group",
		[MOAT_T_LBRACE] = "'{'",
		[MOAT_T_RBRACE] = "'}'",
		[MOAT_T_LPAREN] = "'('",
		[MOAT_T_RPAREN] = "')'",
		[MOAT_T_COMMA] = "','",
		[MOAT_T_AMP] = "'&'",
		[MOAT_T_ANDAND] = "'&&'",
		[MOAT_T_PIPE] = "'|'",
		[MOAT_T_OROR] = "'||'",
		[MOAT_T_EQ] = "'=='",
		[MOAT_T_NE] = "'!='",
		[MOAT_T_LT] = "'<'",
		[MOAT_T_LE] = "'<='",
		[MOAT_T_GT] = "'>'",
		[MOAT_T_GE] = "'>='",
		[MOAT_T_ERR] = "an invalid token",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

bool moat_tok_is(const struct moat_tok *t, const char *ident)
{
	return t->kind == MOAT_T_IDENT && strlen(ident) == t->slen && !memcmp(t->s, ident, t->slen);
}
