/* ftc-teacher.h: the teacher interface. A teacher answers a task's questions step by step with Zero-shot-CoT
 * (Kojima et al. 2022): step 1 "Q: {question}\nA: Let's think step by step." gives a rationale, step 2
 * appends " \n" and the task's answer trigger ("Therefore, the answer (arabic numerals) is") to step 1 and
 * the rationale and gives the answer. Diverse reasoning asks D rationales per question at temperature T;
 * step 2 is greedy for each of them.
 *
 * Three teachers implement it: any OpenAI-compatible endpoint (ftc-teacher-openai.h), a replay of recorded
 * completions (ftc-teacher-replay.h) and the built-in scripted teacher of the synthetic tasks
 * (ftc-teacher-scripted.h). A run hands each finished (sample, completion index) to a sink; it skips
 * the pairs the sink already has, so an interrupted run resumes where it stopped. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

#define FTC_COT_TRIGGER "Let's think step by step."
/* The one-request prompt of reasoning models (DeepSeek-R1, QwQ, Qwen2.5-Math): after the question. */
#define FTC_BOXED_INSTRUCTION "Please reason step by step, and put your final answer within \\boxed{}."

/* How a teacher is asked. */
typedef enum {
  FTC_PROMPT_ZERO_SHOT_COT,   /* the paper's two steps: rationale, then the answer trigger */
  FTC_PROMPT_BOXED,           /* one request, "{question}\n" FTC_BOXED_INSTRUCTION: a reasoning model's
                               * thinking trace and its answer in \boxed{} */
} FtcPromptStyle;

/* "zero_shot_cot", "boxed" */
const char *ftc_prompt_style_to_string (FtcPromptStyle style);
gboolean ftc_prompt_style_from_string (const char *s, FtcPromptStyle *out);

/* "{question}\n" FTC_BOXED_INSTRUCTION */
char *ftc_boxed_prompt (const char *question);
/* A reasoning model's thinking written inline: "<think>trace</think>answer" (the opening tag may be
 * missing, as servers that put it in the prompt send it). Returns the trace (NULL when there is no
 * </think>) and sets *answer_out to the rest, trimmed. */
char *ftc_split_thinking (const char *content, char **answer_out);

/* "Q: {question}\nA: Let's think step by step." */
char *ftc_cot_reasoning_prompt (const char *question);
/* The same with another trigger after "A: " (NULL: the default one). */
char *ftc_cot_reasoning_prompt_with (const char *question, const char *trigger);
/* reasoning_prompt + rationale + " \n" + trigger: Kojima et al.'s step-2 prompt. */
char *ftc_cot_answer_prompt (const char *reasoning_prompt, const char *rationale, const char *trigger);
/* The chat form: step 1 is one user turn with the reasoning prompt; step 2 adds the rationale as the
 * assistant's turn and the trigger as the next user turn. */
JsonArray *ftc_cot_chat_messages (const char *reasoning_prompt, const char *rationale, const char *trigger);
/* The same after a system message (NULL or "": none). */
JsonArray *ftc_cot_chat_messages_with (const char *system_prompt, const char *reasoning_prompt,
                                       const char *rationale, const char *trigger);

typedef struct {
  FtcTask *task;
  GArray *positions;          /* int: positions in task->samples to teach, in order */
  guint samples;              /* D: completions per question (>= 1) */
  double temperature;         /* T of step 1 (step 2 is greedy) */
  int max_tokens;             /* step 1 (rationale) limit */
  int answer_max_tokens;      /* step 2 limit */
  guint64 seed;               /* scripted teacher: phrasing and errors */
  /* the prompt templates (owned by whoever owns the plan; a job keeps copies) */
  const char *reasoning_trigger;  /* step 1, after "A: " (NULL: "Let's think step by step.") */
  const char *answer_trigger;     /* step 2 (NULL: the task's own trigger) */
  const char *system_prompt;      /* chat endpoints: a system message first (NULL: none) */
  FtcPromptStyle prompt_style;    /* two-step Zero-shot-CoT, or one boxed request */
  int max_completion_tokens;      /* > 0: the one request's limit, thinking included, sent as
                                   * "max_completion_tokens" (o-series, DeepSeek-R1, vLLM) */
  gboolean stream;                /* stream answers (server-sent events): the timeout is then the longest
                                   * silence, not the whole answer */
} FtcTeachPlan;

/* The step-2 trigger the plan uses: its own, else the task's. */
const char *ftc_teach_plan_answer_trigger (const FtcTeachPlan *plan);

void ftc_teach_plan_init (FtcTeachPlan *plan);   /* the defaults of ftc_teacher_settings_init, seed 1 */

/* What a teacher made of one (sample, completion index); strings borrowed for the call. */
typedef struct {
  const FtcSample *sample;    /* the dataset sample (id, index: where it sits in the split) */
  guint completion_index;
  const char *question;       /* as the teacher saw it (NULL: sample->question) */
  const char *gold;           /* in the lettering of that question (NULL: sample->answer) */
  const char *reasoning_prompt;
  const char *rationale;
  const char *reasoning_finish_reason;
  const char *answer_trigger;
  const char *answer_prompt;
  const char *answer_text;
  const char *finish_reason;  /* of step 2 (of the one request, boxed) */
  const char *completion;     /* boxed: the answer the model wrote after its thinking (rationale: the trace) */
  gint64 prompt_tokens;       /* both steps; -1 unknown */
  gint64 completion_tokens;   /* thinking included */
  gint64 reasoning_tokens;    /* of them thinking, as the server counts it; -1 unknown */
  const char *model;
  JsonObject *params;         /* request parameters and teacher identity (borrowed) */
} FtcTeacherOutput;

/* The completion record (docs/formats.md field names) for an output of task, prediction included. */
JsonObject *ftc_teacher_output_to_record (const FtcTask *task, const FtcTeacherOutput *out);

typedef struct {
  guint64 requests;           /* HTTP requests sent (retries included) */
  guint64 cached;             /* answers taken from the completion store instead */
  guint64 prompt_tokens;
  guint64 completion_tokens;
  guint64 reasoning_tokens;   /* of the completion tokens, thinking (where the server says) */
  double cost_usd;            /* of the tokens above; < 0: no price known */
  guint in_flight;
  guint missing;              /* replay: wanted completions without a record */
} FtcTeachUsage;

typedef struct {
  guint64 requests;
  guint64 prompt_tokens;      /* estimated from text length */
  guint64 completion_tokens;  /* upper bound: max_tokens each */
  double cost_usd;            /* upper bound; < 0: no price known */
} FtcTeachEstimate;

typedef struct {
  /* TRUE when the sink has (sample, completion_index) already: the teacher skips it */
  gboolean (*is_done) (gpointer user_data, const FtcSample *sample, guint completion_index);
  /* a finished output; FALSE (with error) stops the run */
  gboolean (*emit) (gpointer user_data, const FtcTeacherOutput *out, GError **error);
  /* called often: the job coalesces */
  void (*progress) (gpointer user_data, const FtcTeachUsage *usage);
  gpointer user_data;
} FtcTeachSink;

typedef struct _FtcTeacher FtcTeacher;

typedef struct {
  const char *kind;           /* "openai", "replay", "scripted" */
  /* Identity and parameters, recorded in the experiment (never a key). */
  JsonObject *(*describe) (FtcTeacher *self);
  /* What the plan would cost, leaving out what sink has and what is cached. */
  void (*estimate) (FtcTeacher *self, const FtcTeachPlan *plan, const FtcTeachSink *sink, FtcTeachEstimate *out);
  gboolean (*run) (FtcTeacher *self, const FtcTeachPlan *plan, const FtcTeachSink *sink,
                   GCancellable *cancellable, GError **error);
  void (*finalize) (FtcTeacher *self);
} FtcTeacherClass;

struct _FtcTeacher {
  const FtcTeacherClass *klass;
};

const char *ftc_teacher_kind (FtcTeacher *teacher);
JsonObject *ftc_teacher_describe (FtcTeacher *teacher);
void ftc_teacher_estimate (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink,
                           FtcTeachEstimate *out);
/* Teaches plan. Errors: FTC_ERROR_CANCELLED, FTC_ERROR_BUDGET, FTC_ERROR_NETWORK (after retries), and what
 * the sink returns; what was emitted before stays emitted. */
gboolean ftc_teacher_run (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink,
                          GCancellable *cancellable, GError **error);
void ftc_teacher_free (FtcTeacher *teacher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcTeacher, ftc_teacher_free)

G_END_DECLS
