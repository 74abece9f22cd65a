/* ftc-task-import.h: any task from a JSONL or CSV file, and tasks saved as JSONL.
 *
 * One record per sample, with the fields of the task sample format:
 *   question     string, required
 *   answer       required: a number (string or JSON number; thousands commas allowed) for "number", a letter
 *                for "choice" ("b" is read as "B"), yes/no (or a JSON boolean) for "yesno", any non-empty text
 *                for "text"
 *   answer_type  "number" | "choice" | "yesno" | "text", required
 *   choices      optional, "choice" records: a JSON array of strings (JSONL); in CSV a "choices" column with
 *                texts separated by "|", or one column per letter ("A".."Z", "choice_a".., "option_a"..)
 *   id           optional string or integer, unique; default "<task>-<index>"
 *   split        optional "train" | "test"; given for every record or for none (then a seeded 70/30 split)
 *   steps        optional JSON object (JSONL only): kept as the sample's steps_json
 * A question without "Answer Choices:" gets its choices appended in Kojima et al.'s format
 * (" Answer Choices: (A) x (B) y"). CSV follows RFC 4180 (a header row, quoted fields with "" escapes and
 * line breaks, CRLF or LF). Errors name the file and line: malformed JSON or CSV, missing fields, wrong
 * types, invalid UTF-8, empty files, records longer than 1 MiB. */
#pragma once

#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

typedef enum {
  FTC_IMPORT_AUTO,    /* by extension (.csv; .jsonl, .json, .ndjson), else by the first character */
  FTC_IMPORT_JSONL,
  FTC_IMPORT_CSV,
} FtcImportFormat;

#define FTC_IMPORT_MAX_RECORD (1024 * 1024)

/* Imports path; the task key is the file name without its extension. */
FtcTask *ftc_task_import_file (const char *path, FtcImportFormat format, GError **error);
/* Imports len bytes of data (need not be NUL-terminated); name is used in messages and as the task key. */
FtcTask *ftc_task_import_data (const char *data, gsize len, FtcImportFormat format, const char *name,
                               GError **error);

/* Writes task as JSONL (one sample a line, with its split and steps), atomically. */
gboolean ftc_task_save_jsonl (FtcTask *task, const char *path, GError **error);

G_END_DECLS
