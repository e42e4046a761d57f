/* SPDX-License-Identifier: MIT */
/*
 * Private to the .moat parser: the tokenizer. It works on one line at a time
 * (the language has one statement per line) and never allocates: tokens are
 * slices of the line.
 */
#ifndef MOAT_POLICY_LEXER_H
#define MOAT_POLICY_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum moat_tok_kind {
	MOAT_T_EOL = 0, /* end of line or start of a # comment */
	MOAT_T_IDENT,	/* [A-Za-z_][A-Za-z0-9_-]* */
	MOAT_T_NUM,	/* 12, 0x1f, 017, -1 (two's complement) */
	MOAT_T_STR,	/* "..." (slice excludes the quotes, escapes kept) */
	MOAT_T_GROUP,	/* @name (slice excludes the @) */
	MOAT_T_LBRACE,
	MOAT_T_RBRACE,
	MOAT_T_LPAREN,
	MOAT_T_RPAREN,
	MOAT_T_COMMA,
	MOAT_T_AMP,    /* & */
	MOAT_T_ANDAND, /* && */
	MOAT_T_PIPE,   /* | */
	MOAT_T_OROR,   /* || */
	MOAT_T_EQ,
	MOAT_T_NE,
	MOAT_T_LT,
	MOAT_T_LE,
	MOAT_T_GT,
	MOAT_T_GE,
	MOAT_T_ERR, /* err says why; col/len point at the bad text */
};

struct moat_tok {
	enum moat_tok_kind kind;
	const char *s; /* the token's text (for STR/GROUP: without quotes or @) */
	uint32_t slen;
	uint32_t col; /* 1-based column of the whole token */
	uint32_t len; /* length of the whole token in the line */
	uint64_t num; /* MOAT_T_NUM */
	const char *err;
};

struct moat_lexer {
	const char *line;
	size_t len, pos;
	/* Set when a # comment ends the line: its text, blanks trimmed. */
	const char *comment;
	size_t comment_len;
};

void moat_lex_init(struct moat_lexer *lx, const char *line, size_t len);
void moat_lex_next(struct moat_lexer *lx, struct moat_tok *t);
/* Spelling of a token kind for messages ("'=='", "end of line"). */
const char *moat_tok_kind_name(enum moat_tok_kind k);
bool moat_tok_is(const struct moat_tok *t, const char *ident);

#endif
