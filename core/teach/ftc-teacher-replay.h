/* ftc-teacher-replay.h: a teacher that answers from recorded completions.
 *
 * Reads three formats: the JSONL of published Zero-shot-CoT runs (one object a line: question, prompt,
 * rationale, answer_trigger, answer_text, gold, ...), completion records as ftcot writes them (JSONL with
 * reasoning_prompt, rationale, answer_text, sample_id, completion_index), and the completion JSON of the
 * Fine-tune-CoT reference code ({"metadata": ..., "data": {"<sample_index>": [{question, answer,
 * reasoning_prompt, reasoning_completion, prompt, completion, finish_reason, completion_index}, ...]}}).
 *
 * Records are matched to the task's samples by normalised question text (case, spacing). For
 * multiple-choice questions the choices may be listed in another order than the task formats them: the
 * match then ignores the order, the output keeps the question the teacher saw (its letters are the ones
 * the rationale talks about) with the gold letter mapped to that order, and the sample (its split) is
 * the matched one. */
#pragma once

#include "core/teach/ftc-teacher.h"

G_BEGIN_DECLS

/* Loads path; model names the recorded teacher in the records written (NULL: "replay"). */
FtcTeacher *ftc_teacher_replay_new (const char *path, const char *model, GError **error);

typedef struct {
  guint records;              /* recorded completions read */
  guint matched;              /* of them, matched to a sample of the task */
  guint samples;              /* samples of the task with at least one completion */
  guint reordered;            /* matched multiple-choice questions whose choices were in another order */
  guint gold_disagrees;       /* matched records whose recorded gold differs from the sample's */
} FtcReplayMatch;

/* Matches the records to task (done again by each run); *first_unmatched gets the question of the
 * first record that matched nothing (or NULL). */
void ftc_teacher_replay_match (FtcTeacher *teacher, const FtcTask *task, FtcReplayMatch *out,
                               char **first_unmatched);

/* The text matching compares: lower case, runs of white space as one space, trimmed. */
char *ftc_replay_normalize (const char *text);

G_END_DECLS
