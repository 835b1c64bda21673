/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to config/: the state of one parse and the pieces that share it.
 *
 *   cfg-parse.c    sources, @includes, the read loop, final checks
 *   cfg-line.c     one line: comment, $substitutions, words
 *   cfg-options.c  the option keywords and what each does to struct cfg_config
 *
 * A parse is one pass in reading order.  An option and its arguments are on
 * one line; an error skips to the next option (unknown keyword: to the next
 * line) so that one run reports several mistakes.
 */
#ifndef SMMU_CONFIG_CFG_PARSER_H
#define SMMU_CONFIG_CFG_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"
#include "common/limits.h"
#include "config/cfg-asinfo.h"
#include "config/cfg-number.h"
#include "config/config.h"

#define CFG_COMMAND_LINE_NAME "<command line>"

/* A text the parser has read: a file or the command line.  Kept until the
 * end of the parse so that late diagnostics can quote their line. */
struct cfg_source {
	const char *name; /* interned in cfg_config.files */
	char *canonical;  /* identity for cycle detection; NULL for argv */
	char *text;	  /* NUL-terminated */
	size_t size;
};

struct cfg_parser {
	struct cfg_config *cfg;
	struct cfg_diags *diags;
	struct cfg_system system;
	struct cfg_asinfo asinfo;

	struct cfg_source *sources;
	size_t source_count;
	size_t include_count;
	/* Indices into sources of the files being read, outermost first. */
	size_t include_stack[SMMU_CFG_MAX_INCLUDE_DEPTH + 1];
	size_t include_depth;

	ssize_t current_device; /* index into cfg->devices, -1 before any */
	bool oom;
	bool stopped; /* too many errors or out of memory: read no further */
};

/* One line being read.  `text` is the line after comment removal and
 * substitution; cols[i] is the 1-based column in the raw line that produced
 * text[i] (every byte of a substituted value maps to its `$`). */
struct cfg_line {
	/* Copies of the source's fields, not a pointer to it: an include on
	 * this line grows the source array and may move it. */
	const char *file;      /* interned name */
	const char *canonical; /* NULL for the command line */
	uint32_t line_no;
	const char *raw; /* the line as written, without its newline */
	size_t raw_len;
	char *text;
	uint32_t *cols;
	size_t len;
};

/* A whitespace-separated word of a line, NUL-terminated in place. */
struct cfg_word {
	char *text;
	size_t len;
	size_t offset; /* into line->text */
};

/* Reports an error at byte `offset` of line->text. */
void cfg_error(struct cfg_parser *p, const struct cfg_line *line, size_t offset, const char *fmt,
	       ...) SMMU_PRINTF(4, 5);
/* Reports an error at a recorded location. */
void cfg_error_loc(struct cfg_parser *p, const struct cfg_loc *loc, const char *fmt, ...)
	SMMU_PRINTF(3, 4);
void cfg_warning_loc(struct cfg_parser *p, const struct cfg_loc *loc, const char *fmt, ...)
	SMMU_PRINTF(3, 4);
/* Marks the parse out of memory; returns -ENOMEM for convenience. */
int cfg_oom(struct cfg_parser *p);

/* The location of byte `offset` of a line. */
struct cfg_loc cfg_line_loc(const struct cfg_line *line, size_t offset);

/*
 * Turns the raw line into line->text (comment dropped, substitutions done)
 * and splits it into words.  Returns the word count (at most max_words), or
 * -EINVAL after reporting an error, or -ENOMEM.  The caller frees with
 * cfg_line_fini().
 */
int cfg_line_read(struct cfg_parser *p, struct cfg_line *line, struct cfg_word *words,
		  size_t max_words);
void cfg_line_fini(struct cfg_line *line);

/* Whether a word is an option keyword (and so cannot be a name or an
 * optional argument). */
bool cfg_is_keyword(const char *word);

/* Runs the options in words[0..count) of one line; `@FILE` words call
 * cfg_include(). */
void cfg_options_run(struct cfg_parser *p, struct cfg_line *line, struct cfg_word *words,
		     size_t count);

/* Reads the file named by an `@` word; `word` points at the `@`. */
void cfg_include(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *word);

/* Checks that need the whole configuration (references to allow sets). */
void cfg_options_finish(struct cfg_parser *p);

/* Grows an array by one zeroed element; returns it or NULL (limit or OOM,
 * reported at `line`/`offset`). */
void *cfg_array_push(struct cfg_parser *p, const struct cfg_line *line, size_t offset, void **items,
		     size_t *count, size_t item_size, const char *what);

#endif
