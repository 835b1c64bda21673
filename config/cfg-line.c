/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One line of configuration text: drops the `#` comment, performs the
 * textual substitutions $env{NAME}, $asinfo_start{NAME} and
 * $asinfo_length{NAME}, and splits the result into words.
 *
 * Substitution happens before splitting, so a value may hold several words
 * (or an @include).  It does not happen again on a substituted value: a value
 * containing '$' or '#' is refused rather than given a second meaning.
 */
#include "config/cfg-parser.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"

enum substitution {
	SUBST_ENV,
	SUBST_ASINFO_START,
	SUBST_ASINFO_LENGTH,
};

static const struct {
	const char *keyword;
	enum substitution kind;
} substitutions[] = {
	{"env", SUBST_ENV},
	{"asinfo_start", SUBST_ASINFO_START},
	{"asinfo_length", SUBST_ASINFO_LENGTH},
};

/* Line text under construction with its column map. */
struct line_builder {
	struct strbuf text;
	uint32_t *cols;
	size_t cols_capacity;
	bool oom;
};

static void builder_append(struct line_builder *b, const char *bytes, size_t len, uint32_t col)
{
	size_t need = b->text.len + len + 1;

	if (need > b->cols_capacity) {
		size_t capacity = b->cols_capacity ? b->cols_capacity * 2 : 128;
		uint32_t *cols;

		while (capacity < need) {
			capacity *= 2;
		}
		cols = smmu_reallocarray(b->cols, capacity, sizeof(*cols));
		if (!cols) {
			b->oom = true;
			return;
		}
		b->cols = cols;
		b->cols_capacity = capacity;
	}
	for (size_t i = 0; i < len; i++) {
		b->cols[b->text.len + i] = col;
	}
	strbuf_append(&b->text, bytes, len);
	b->oom = b->oom || b->text.oom;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_forbidden_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* A raw-line error: the column is the byte offset + 1 (no map yet). */
static void SMMU_PRINTF(4, 5) raw_error(struct cfg_parser *p, const struct cfg_line *line,
					size_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_diag_vadd(p->diags, CFG_SEVERITY_ERROR, line->file, line->line_no, (uint32_t)offset + 1,
		      line->raw, fmt, ap);
	va_end(ap);
}

static int substitute_asinfo(struct cfg_parser *p, const struct cfg_line *line, size_t at,
			     enum substitution kind, const char *name, struct strbuf *value)
{
	const struct cfg_asinfo_entry *entry = NULL;
	struct strbuf why = STRBUF_INIT;
	const char *slash = strrchr(name, '/');
	int r;

	if (slash) {
		raw_error(p, line, at, "asinfo names are leaf names: write '%s', not the path '%s'",
			  slash + 1, name);
		return -EINVAL;
	}
	r = cfg_asinfo_lookup(&p->asinfo, name, &entry, &why);
	if (r == -ENOMEM || why.oom) {
		strbuf_fini(&why);
		return -ENOMEM;
	}
	if (r < 0) {
		raw_error(p, line, at, "%s", strbuf_str(&why));
		strbuf_fini(&why);
		return r;
	}
	strbuf_fini(&why);
	strbuf_printf(value, "0x%" PRIx64, kind == SUBST_ASINFO_START ? entry->start : entry->size);
	return 0;
}

/*
 * Expands the substitution starting at raw[at] == '$' into *b.  Returns the
 * offset just past it, or -EINVAL / -ENOMEM.
 */
static ssize_t substitute(struct cfg_parser *p, const struct cfg_line *line, size_t at,
			  size_t content_end, struct line_builder *b)
{
	const char *raw = line->raw;
	struct strbuf value = STRBUF_INIT;
	size_t keyword_end = at + 1;
	size_t name_start, name_end;
	const struct cfg_system *sys = &p->system;
	const char *keyword = NULL;
	enum substitution kind = SUBST_ENV;
	char *name;
	int r = 0;

	while (keyword_end < content_end &&
	       ((raw[keyword_end] >= 'a' && raw[keyword_end] <= 'z') || raw[keyword_end] == '_')) {
		keyword_end++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(substitutions); i++) {
		if (keyword_end - at - 1 == strlen(substitutions[i].keyword) &&
		    memcmp(raw + at + 1, substitutions[i].keyword, keyword_end - at - 1) == 0) {
			keyword = substitutions[i].keyword;
			kind = substitutions[i].kind;
		}
	}
	if (!keyword) {
		raw_error(p, line, at, "%s",
			  "'$' starts a substitution: $env{NAME}, $asinfo_start{NAME} or "
			  "$asinfo_length{NAME}");
		return -EINVAL;
	}
	if (keyword_end >= content_end || raw[keyword_end] != '{') {
		raw_error(p, line, keyword_end, "expected '{' after $%s", keyword);
		return -EINVAL;
	}
	name_start = keyword_end + 1;
	name_end = name_start;
	while (name_end < content_end && raw[name_end] != '}') {
		name_end++;
	}
	if (name_end >= content_end) {
		raw_error(p, line, at, "$%s{ has no closing '}'", keyword);
		return -EINVAL;
	}
	if (name_end == name_start) {
		raw_error(p, line, name_start, "empty name in $%s{}", keyword);
		return -EINVAL;
	}
	name = smmu_strndup(raw + name_start, name_end - name_start);
	if (!name) {
		return -ENOMEM;
	}
	if (strpbrk(name, "${")) {
		raw_error(p, line, name_start, "%s", "substitutions do not nest");
		r = -EINVAL;
	} else if (kind == SUBST_ENV) {
		const char *env = sys->get_env(sys->ctx, name);

		if (!env) {
			raw_error(p, line, name_start, "environment variable '%s' is not set",
				  name);
			r = -EINVAL;
		} else {
			strbuf_puts(&value, env);
		}
	} else {
		r = substitute_asinfo(p, line, name_start, kind, name, &value);
	}
	smmu_free(name);
	if (r == 0 && value.oom) {
		r = -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < value.len; i++) {
		unsigned char c = (unsigned char)strbuf_str(&value)[i];

		if (c == '#' || c == '$' || is_forbidden_control(c)) {
			raw_error(p, line, at,
				  "the value of this substitution contains %s, which "
				  "configuration text cannot take from a substitution",
				  c == '#'   ? "'#'"
				  : c == '$' ? "'$'"
					     : "a control character");
			r = -EINVAL;
		}
	}
	if (r == 0) {
		builder_append(b, strbuf_str(&value), value.len, (uint32_t)at + 1);
	}
	strbuf_fini(&value);
	return r < 0 ? r : (ssize_t)name_end + 1;
}

static int split_words(struct cfg_parser *p, struct cfg_line *line, struct cfg_word *words,
		       size_t max_words)
{
	size_t count = 0;
	size_t i = 0;

	while (i < line->len) {
		size_t start;

		while (i < line->len && is_space(line->text[i])) {
			i++;
		}
		if (i == line->len) {
			break;
		}
		start = i;
		while (i < line->len && !is_space(line->text[i])) {
			i++;
		}
		if (count == max_words) {
			cfg_error(p, line, start, "too many words on one line (at most %zu)",
				  max_words);
			return -EINVAL;
		}
		words[count++] = (struct cfg_word){line->text + start, i - start, start};
	}
	/* Terminate in place: each word ends at whitespace or the end. */
	for (size_t w = 0; w < count; w++) {
		words[w].text[words[w].len] = '\0';
	}
	return (int)count;
}

int cfg_line_read(struct cfg_parser *p, struct cfg_line *line, struct cfg_word *words,
		  size_t max_words)
{
	struct line_builder b = {.text = STRBUF_INIT};
	size_t content_end = line->raw_len;
	size_t i = 0;

	/* A CRLF file is read as if it had LF endings. */
	if (content_end && line->raw[content_end - 1] == '\r') {
		content_end--;
	}
	for (size_t j = 0; j < content_end; j++) {
		if (line->raw[j] == '#') {
			content_end = j;
			break;
		}
		if (is_forbidden_control((unsigned char)line->raw[j])) {
			raw_error(p, line, j, "%s", "control character in configuration text");
			return -EINVAL;
		}
	}
	while (i < content_end) {
		size_t run = i;

		while (run < content_end && line->raw[run] != '$') {
			run++;
		}
		for (size_t j = i; j < run; j++) {
			builder_append(&b, line->raw + j, 1, (uint32_t)j + 1);
		}
		i = run;
		if (i < content_end) {
			ssize_t next = substitute(p, line, i, content_end, &b);

			if (next < 0) {
				strbuf_fini(&b.text);
				smmu_free(b.cols);
				return next == -ENOMEM ? cfg_oom(p) : -EINVAL;
			}
			i = (size_t)next;
		}
		if (b.text.len > SMMU_CFG_MAX_LINE_LEN) {
			raw_error(p, line, 0, "line longer than %d bytes after substitution",
				  SMMU_CFG_MAX_LINE_LEN);
			strbuf_fini(&b.text);
			smmu_free(b.cols);
			return -EINVAL;
		}
	}
	/* Makes room for cols[len], the column just past the content, where
	 * "missing argument" errors point. */
	builder_append(&b, "", 0, 0);
	if (b.oom) {
		strbuf_fini(&b.text);
		smmu_free(b.cols);
		return cfg_oom(p);
	}
	line->len = b.text.len;
	line->cols = b.cols;
	line->cols[line->len] = (uint32_t)content_end + 1;
	line->text = strbuf_take(&b.text);
	if (!line->text) {
		cfg_line_fini(line);
		return cfg_oom(p);
	}
	return split_words(p, line, words, max_words);
}

void cfg_line_fini(struct cfg_line *line)
{
	smmu_free(line->text);
	smmu_free(line->cols);
	line->text = NULL;
	line->cols = NULL;
	line->len = 0;
}
