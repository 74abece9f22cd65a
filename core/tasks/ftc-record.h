/* ftc-record.h: the completion record, one JSON line per teacher or student output (docs/formats.md).
 *
 * A teacher record holds both Zero-shot-CoT steps (reasoning prompt and rationale, then answer trigger and
 * answer text); a student record holds its one-step completion (" {rationale} --> {answer} END"). The
 * reader also takes the field names of the published teacher files (dataset, index, prompt) and minimal
 * records with only question, answer_text or completion, and gold. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Lines longer than this are refused unless the reader is told otherwise (core/ftc-jsonl.h). */
#define FTC_RECORD_MAX_LINE_DEFAULT (16u * 1024 * 1024)

typedef struct {
  char *task;               /* "gsm8k" (read also from "dataset") */
  char *sample_id;          /* "gsm8k-17" */
  gint64 sample_index;      /* position in the task's index space (read also from "index"); -1 unknown */
  gint64 completion_index;  /* 0.. among the completions of one sample (diverse sampling) */
  char *question;           /* required */
  char *gold;               /* required; a JSON number is taken as its text ("answer" is an alias) */
  char *reasoning_prompt;   /* step 1 prompt: "Q: {question}\nA: Let's think step by step." ("prompt") */
  char *rationale;          /* step 1 completion, raw ("reasoning_completion") */
  char *answer_trigger;     /* step 2 trigger: "Therefore, the answer (arabic numerals) is" */
  char *answer_prompt;      /* the whole step 2 prompt, when recorded */
  char *answer_text;        /* step 2 completion, raw */
  char *completion;         /* one-step completion (students): " {rationale} --> {answer} END"; a reasoning
                             * model's answer after its thinking (the thinking is the rationale) */
  char *prediction;         /* the extracted answer, as recorded ("" when none was found) */
  gboolean has_correct;     /* whether correct was recorded */
  gboolean correct;
  char *reasoning_finish_reason; /* step 1 (the rationale): "length" when cut at the token limit */
  char *finish_reason;      /* "stop", "length", ... (of step 2, or of the one-step completion) */
  gint64 prompt_tokens;     /* token usage; -1 unknown */
  gint64 completion_tokens; /* thinking included */
  gint64 reasoning_tokens;  /* of them a reasoning model's thinking (usage.reasoning_tokens); -1 unknown */
  char *model;              /* teacher or student identity: "text-davinci-002", "gpt2-medium+ftcot" */
  JsonObject *params;       /* request parameters (temperature, max_tokens, ...); NULL if none */
} FtcRecord;

FtcRecord *ftc_record_new (void);
void ftc_record_free (FtcRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcRecord, ftc_record_free)

/* From a parsed JSON object; the error names the field at fault (FTC_ERROR_INVALID). */
FtcRecord *ftc_record_from_json (JsonObject *object, GError **error);
/* One JSON line without the trailing newline, canonical field names, unset fields left out. */
char *ftc_record_to_json_line (const FtcRecord *record);
/* Writes records as JSONL atomically (temporary file, fsync, rename). */
gboolean ftc_record_write_file (const char *path, GPtrArray *records, GError **error);

/* A streaming reader over core/ftc-jsonl.h: one line in memory at a time, never more than the line limit;
 * a torn last line (no newline, not parseable) is ignored. */
typedef struct _FtcRecordReader FtcRecordReader;

FtcRecordReader *ftc_record_reader_open (const char *path, GError **error);
/* Reads from stream; name is what error messages call it. */
FtcRecordReader *ftc_record_reader_new (GInputStream *stream, const char *name);
void ftc_record_reader_set_max_line (FtcRecordReader *reader, gsize max_line);
/* An empty file is an error unless allowed (a store that has no records yet). */
void ftc_record_reader_set_allow_empty (FtcRecordReader *reader, gboolean allow_empty);
/* The next record; NULL at the end (error unset) or on error ("name:line: what", FTC_ERROR_PARSE for
 * malformed lines, FTC_ERROR_INVALID for fields). Blank lines are skipped. After an error the reader
 * stops. */
FtcRecord *ftc_record_reader_next (FtcRecordReader *reader, GError **error);
/* The number of the line the last record came from (1-based). */
guint ftc_record_reader_get_line (FtcRecordReader *reader);
void ftc_record_reader_free (FtcRecordReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcRecordReader, ftc_record_reader_free)

/* All records of a file (FtcRecord*, owned by the array). */
GPtrArray *ftc_record_read_file (const char *path, GError **error);

G_END_DECLS
