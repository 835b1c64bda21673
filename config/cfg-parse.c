/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read loop of the configuration language: the command line and the
 * files it includes, in one pass, in order.  An `@FILE` word reads the whole
 * file at that point and then reading continues after the word; a relative
 * path is resolved against the directory of the file that names it (against
 * the working directory on the command line).  Include cycles and nesting
 * deeper than SMMU_CFG_MAX_INCLUDE_DEPTH are errors that name the chain.
 */
#include "config/cfg-parser.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-system.h"

/* Words on one line: an option line has a handful; this bounds the array on
 * the stack, not the language (a line is also bounded in bytes). */
#define MAX_WORDS_PER_LINE 256

/* Total files read in one parse, includes of the same file counted each
 * time: stops an include "fork bomb" (a file that includes another twice,
 * sixteen levels deep) without limiting real configurations. */
#define MAX_INCLUDES 1024

int cfg_oom(struct cfg_parser *p)
{
	p->oom = true;
	p->stopped = true;
	return -ENOMEM;
}

static const char *line_text_of(const struct cfg_parser *p, const char *file, uint32_t line_no)
{
	for (size_t i = 0; i < p->source_count; i++) {
		const char *text = p->sources[i].text;

		if (p->sources[i].name != file) {
			continue;
		}
		for (uint32_t n = 1; n < line_no && text; n++) {
			text = strchr(text, '\n');
			text = text ? text + 1 : NULL;
		}
		return text;
	}
	return NULL;
}

static void SMMU_PRINTF(7, 0)
	report(struct cfg_parser *p, enum cfg_severity severity, const char *file, uint32_t line_no,
	       uint32_t col, const char *line_text, const char *fmt, va_list ap)
{
	if (p->stopped) {
		return;
	}
	cfg_diag_vadd(p->diags, severity, file, line_no, col, line_text, fmt, ap);
	if (p->diags->oom) {
		cfg_oom(p);
	} else if (p->diags->error_count >= SMMU_CFG_MAX_ERRORS) {
		cfg_diag_add(p->diags, CFG_SEVERITY_ERROR, file, line_no, col, NULL,
			     "too many errors, stopping here");
		p->stopped = true;
	}
}

struct cfg_loc cfg_line_loc(const struct cfg_line *line, size_t offset)
{
	return (struct cfg_loc){line->file, line->line_no,
				line->cols[offset <= line->len ? offset : line->len]};
}

void cfg_error(struct cfg_parser *p, const struct cfg_line *line, size_t offset, const char *fmt,
	       ...)
{
	struct cfg_loc loc = cfg_line_loc(line, offset);
	va_list ap;

	va_start(ap, fmt);
	report(p, CFG_SEVERITY_ERROR, loc.file, loc.line, loc.col, line->raw, fmt, ap);
	va_end(ap);
}

void cfg_error_loc(struct cfg_parser *p, const struct cfg_loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(p, CFG_SEVERITY_ERROR, loc->file, loc->line, loc->col,
	       line_text_of(p, loc->file, loc->line), fmt, ap);
	va_end(ap);
}

void cfg_warning_loc(struct cfg_parser *p, const struct cfg_loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(p, CFG_SEVERITY_WARNING, loc->file, loc->line, loc->col,
	       line_text_of(p, loc->file, loc->line), fmt, ap);
	va_end(ap);
}

void *cfg_array_push(struct cfg_parser *p, const struct cfg_line *line, size_t offset, void **items,
		     size_t *count, size_t item_size, const char *what)
{
	char *grown;

	if (*count >= SMMU_CFG_MAX_ITEMS) {
		cfg_error(p, line, offset, "too many %s (at most %d)", what, SMMU_CFG_MAX_ITEMS);
		return NULL;
	}
	grown = smmu_reallocarray(*items, *count + 1, item_size);
	if (!grown) {
		cfg_oom(p);
		return NULL;
	}
	*items = grown;
	memset(grown + *count * item_size, 0, item_size);
	return grown + (*count)++ * item_size;
}

/* Keeps one copy of each file name; cfg_loc.file points at it. */
static const char *intern_file_name(struct cfg_parser *p, const char *name)
{
	struct cfg_config *cfg = p->cfg;
	char **files;
	char *copy;

	for (size_t i = 0; i < cfg->file_count; i++) {
		if (strcmp(cfg->files[i], name) == 0) {
			return cfg->files[i];
		}
	}
	copy = smmu_strdup(name);
	files = smmu_reallocarray(cfg->files, cfg->file_count + 1, sizeof(*files));
	if (!copy || !files) {
		smmu_free(copy);
		if (files) {
			cfg->files = files;
		}
		cfg_oom(p);
		return NULL;
	}
	cfg->files = files;
	cfg->files[cfg->file_count++] = copy;
	return copy;
}

/* Takes ownership of canonical and text.  Returns the source index or -ENOMEM. */
static ssize_t add_source_take(struct cfg_parser *p, const char *name, char *canonical, char *text,
			       size_t size)
{
	struct cfg_source *sources;
	const char *interned = intern_file_name(p, name);

	sources = interned ? smmu_reallocarray(p->sources, p->source_count + 1, sizeof(*sources))
			   : NULL;
	if (!sources) {
		smmu_free(canonical);
		smmu_free(text);
		return cfg_oom(p);
	}
	p->sources = sources;
	sources[p->source_count] = (struct cfg_source){interned, canonical, text, size};
	return (ssize_t)p->source_count++;
}

static void read_source(struct cfg_parser *p, size_t index)
{
	const struct cfg_source *source = &p->sources[index];
	struct cfg_word words[MAX_WORDS_PER_LINE];
	size_t start = 0;
	uint32_t line_no = 0;

	while (start < source->size && !p->stopped) {
		const char *raw = source->text + start;
		const char *nl = memchr(raw, '\n', source->size - start);
		size_t len = nl ? (size_t)(nl - raw) : source->size - start;
		struct cfg_line line = {
			.file = source->name,
			.canonical = source->canonical,
			.line_no = ++line_no,
			.raw = raw,
			.raw_len = len,
		};
		int count;

		if (memchr(raw, '\0', len)) {
			cfg_diag_add(p->diags, CFG_SEVERITY_ERROR, source->name, line_no,
				     (uint32_t)(strlen(raw) + 1), NULL,
				     "NUL byte: this is not a text file");
			return;
		}
		count = cfg_line_read(p, &line, words, ARRAY_SIZE(words));
		if (count > 0) {
			cfg_options_run(p, &line, words, (size_t)count);
		}
		cfg_line_fini(&line);
		/* An include on this line may have moved the array. */
		source = &p->sources[index];
		start += len + 1;
	}
}

/* The include chain as "a -> b -> c" for cycle and depth errors. */
static void format_chain(const struct cfg_parser *p, const char *last, struct strbuf *out)
{
	for (size_t i = 0; i < p->include_depth; i++) {
		strbuf_printf(out, "%s -> ", p->sources[p->include_stack[i]].name);
	}
	strbuf_puts(out, last);
}

/* The path an @FILE word names, relative to the including file's directory. */
static char *resolve_include_path(const struct cfg_parser *p, const struct cfg_line *line,
				  const char *path)
{
	struct strbuf joined = STRBUF_INIT;
	const char *includer = line->file;
	const char *slash = strrchr(includer, '/');

	if (path[0] == '/' || !line->canonical || !slash) {
		return smmu_strdup(path);
	}
	(void)p;
	strbuf_append(&joined, includer, (size_t)(slash - includer) + 1);
	strbuf_puts(&joined, path);
	return strbuf_take(&joined);
}

void cfg_include(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *word)
{
	struct strbuf chain = STRBUF_INIT;
	char *canonical = NULL;
	char *text = NULL;
	size_t size = 0;
	ssize_t index;
	char *path;
	int r;

	if (word->len == 1) {
		cfg_error(p, line, word->offset, "'@' needs a file name right after it");
		return;
	}
	path = resolve_include_path(p, line, word->text + 1);
	if (!path) {
		cfg_oom(p);
		return;
	}
	if (p->include_depth > SMMU_CFG_MAX_INCLUDE_DEPTH) {
		format_chain(p, path, &chain);
		cfg_error(p, line, word->offset, "includes nested deeper than %d: %s",
			  SMMU_CFG_MAX_INCLUDE_DEPTH, strbuf_str(&chain));
		goto out;
	}
	if (++p->include_count > MAX_INCLUDES) {
		cfg_error(p, line, word->offset, "more than %d files included", MAX_INCLUDES);
		goto out;
	}
	r = p->system.read_file(p->system.ctx, path, &canonical, &text, &size);
	if (r == -ENOMEM) {
		cfg_oom(p);
		goto out;
	}
	if (r < 0) {
		cfg_error(p, line, word->offset, "cannot read '%s': %s", path, strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < p->include_depth; i++) {
		const char *open = p->sources[p->include_stack[i]].canonical;

		if (open && strcmp(open, canonical) == 0) {
			format_chain(p, path, &chain);
			cfg_error(p, line, word->offset, "include cycle: %s", strbuf_str(&chain));
			smmu_free(canonical);
			smmu_free(text);
			goto out;
		}
	}
	index = add_source_take(p, path, canonical, text, size);
	if (index < 0) {
		goto out;
	}
	p->include_stack[p->include_depth++] = (size_t)index;
	read_source(p, (size_t)index);
	p->include_depth--;
out:
	strbuf_fini(&chain);
	smmu_free(path);
}

size_t cfg_allow_next(const struct cfg_config *cfg, const char *name, size_t from)
{
	for (size_t i = from; i < cfg->allow_count; i++) {
		if (cfg->allows[i].name && strcmp(cfg->allows[i].name, name) == 0) {
			return i;
		}
	}
	return cfg->allow_count;
}

int cfg_parse_args(struct cfg_config *cfg, int argc, char *const argv[],
		   const struct cfg_parse_options *opts, struct cfg_diags *diags)
{
	static const struct cfg_parse_options no_options;
	struct cfg_parser p = {.cfg = cfg, .diags = diags, .current_device = -1};
	struct strbuf args = STRBUF_INIT;
	size_t errors_before = diags->error_count;
	size_t args_size;
	char *args_text;
	ssize_t index;
	int r;

	opts = opts ? opts : &no_options;
	p.system = opts->system;
	cfg_system_complete(&p.system);
	r = cfg_asinfo_init(&p.asinfo, opts, &p.system, diags);
	if (r < 0) {
		cfg_asinfo_fini(&p.asinfo);
		return r;
	}
	/* The command line is one line of the language: the words joined by
	 * spaces, so that diagnostics can show it with a caret. */
	for (int i = 0; i < argc; i++) {
		strbuf_printf(&args, "%s%s", i ? " " : "", argv[i]);
	}
	args_size = args.len;
	args_text = strbuf_take(&args);
	index = args_text ? add_source_take(&p, CFG_COMMAND_LINE_NAME, NULL, args_text, args_size)
			  : -ENOMEM;
	if (index >= 0) {
		p.include_stack[p.include_depth++] = (size_t)index;
		read_source(&p, (size_t)index);
		p.include_depth--;
	} else {
		cfg_oom(&p);
	}
	if (!p.stopped) {
		cfg_options_finish(&p);
	}
	for (size_t i = 0; i < p.source_count; i++) {
		smmu_free(p.sources[i].canonical);
		smmu_free(p.sources[i].text);
	}
	smmu_free(p.sources);
	cfg_asinfo_fini(&p.asinfo);
	if (p.oom || diags->oom) {
		return -ENOMEM;
	}
	return diags->error_count > errors_before ? -EINVAL : 0;
}

void cfg_config_fini(struct cfg_config *cfg)
{
	for (size_t i = 0; i < cfg->unit_count; i++) {
		smmu_free(cfg->units[i].name);
		smmu_free(cfg->units[i].params);
	}
	for (size_t i = 0; i < cfg->allow_count; i++) {
		smmu_free(cfg->allows[i].name);
	}
	for (size_t i = 0; i < cfg->device_count; i++) {
		struct cfg_device *device = &cfg->devices[i];

		for (size_t j = 0; j < device->allow_ref_count; j++) {
			smmu_free(device->allow_refs[j].name);
		}
		for (size_t j = 0; j < device->use_count; j++) {
			smmu_free(device->uses[j].unit);
			smmu_free(device->uses[j].param);
		}
		smmu_free(device->allow_refs);
		smmu_free(device->uses);
		smmu_free(device->reserved);
	}
	for (size_t i = 0; i < cfg->permit_count; i++) {
		smmu_free(cfg->permits[i].name);
	}
	for (size_t i = 0; i < cfg->file_count; i++) {
		smmu_free(cfg->files[i]);
	}
	smmu_free(cfg->smmu.name);
	smmu_free(cfg->smmu.params);
	smmu_free(cfg->platform.name);
	smmu_free(cfg->platform.params);
	smmu_free(cfg->socket_path);
	smmu_free(cfg->libdir);
	smmu_free(cfg->units);
	smmu_free(cfg->allows);
	smmu_free(cfg->devices);
	smmu_free(cfg->permits);
	smmu_free(cfg->files);
	*cfg = (struct cfg_config){0};
}
