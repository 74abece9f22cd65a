#include "core/teach/ftc-teacher.h"

#include <string.h>

#include "core/tasks/ftc-answer.h"
#include "core/teach/ftc-teacher-settings.h"

char *
ftc_cot_reasoning_prompt_with (const char *question, const char *trigger)
{
  return g_strconcat ("Q: ", question, "\nA: ", trigger != NULL ? trigger : FTC_COT_TRIGGER, NULL);
}

char *
ftc_cot_reasoning_prompt (const char *question)
{
  return ftc_cot_reasoning_prompt_with (question, NULL);
}

static const char *const prompt_style_names[] = { "zero_shot_cot", "boxed" };

const char *
ftc_prompt_style_to_string (FtcPromptStyle style)
{
  return (guint) style < G_N_ELEMENTS (prompt_style_names) ? prompt_style_names[style] : "unknown";
}

gboolean
ftc_prompt_style_from_string (const char *s, FtcPromptStyle *out)
{
  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (prompt_style_names); i++)
    if (strcmp (s, prompt_style_names[i]) == 0)
      {
        *out = (FtcPromptStyle) i;
        return TRUE;
      }
  return FALSE;
}

char *
ftc_boxed_prompt (const char *question)
{
  return g_strconcat (question, "\n", FTC_BOXED_INSTRUCTION, NULL);
}

char *
ftc_split_thinking (const char *content, char **answer_out)
{
  const char *close = content != NULL ? strstr (content, "</think>") : NULL;
  const char *open;
  const char *start = content;

  *answer_out = NULL;
  if (close == NULL)
    return NULL;
  open = g_strstr_len (content, close - content, "<think>");
  if (open != NULL)
    start = open + strlen ("<think>");
  *answer_out = g_strstrip (g_strdup (close + strlen ("</think>")));
  return g_strstrip (g_strndup (start, close - start));
}

const char *
ftc_teach_plan_answer_trigger (const FtcTeachPlan *plan)
{
  return plan->answer_trigger != NULL ? plan->answer_trigger : plan->task->answer_trigger;
}

char *
ftc_cot_answer_prompt (const char *reasoning_prompt, const char *rationale, const char *trigger)
{
  /* Kojima et al.: z2 = x + z + " " + "\nTherefore, ..." */
  return g_strconcat (reasoning_prompt, rationale, " \n", trigger, NULL);
}

static JsonObject *
message (const char *role, const char *content)
{
  JsonObject *m = json_object_new ();

  json_object_set_string_member (m, "role", role);
  json_object_set_string_member (m, "content", content);
  return m;
}

JsonArray *
ftc_cot_chat_messages (const char *reasoning_prompt, const char *rationale, const char *trigger)
{
  return ftc_cot_chat_messages_with (NULL, reasoning_prompt, rationale, trigger);
}

JsonArray *
ftc_cot_chat_messages_with (const char *system_prompt, const char *reasoning_prompt, const char *rationale,
                            const char *trigger)
{
  JsonArray *messages = json_array_new ();

  if (system_prompt != NULL && system_prompt[0] != '\0')
    json_array_add_object_element (messages, message ("system", system_prompt));
  json_array_add_object_element (messages, message ("user", reasoning_prompt));
  if (rationale != NULL)
    {
      /* chat servers keep the assistant turn as given; its leading space would be noise */
      g_autofree char *r = g_strstrip (g_strdup (rationale));
      json_array_add_object_element (messages, message ("assistant", r));
      json_array_add_object_element (messages, message ("user", trigger));
    }
  return messages;
}

void
ftc_teach_plan_init (FtcTeachPlan *plan)
{
  FtcTeacherSettings defaults;

  /* the numbers of the one defaults table; the strings stay NULL (the plan borrows them) */
  ftc_teacher_settings_init (&defaults);
  memset (plan, 0, sizeof *plan);
  plan->samples = (guint) defaults.samples;
  plan->temperature = defaults.temperature;
  plan->max_tokens = defaults.max_tokens;
  plan->answer_max_tokens = defaults.answer_max_tokens;
  plan->seed = 1;
  ftc_teacher_settings_clear (&defaults);
}

static void
set_string (JsonObject *o, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (o, name, value);
}

JsonObject *
ftc_teacher_output_to_record (const FtcTask *task, const FtcTeacherOutput *out)
{
  JsonObject *r = json_object_new ();
  const char *question = out->question != NULL ? out->question : out->sample->question;
  const char *gold = out->gold != NULL ? out->gold : out->sample->answer;

  json_object_set_string_member (r, "task", task->key);
  json_object_set_string_member (r, "sample_id", out->sample->id);
  json_object_set_int_member (r, "sample_index", out->sample->index);
  json_object_set_int_member (r, "completion_index", out->completion_index);
  json_object_set_string_member (r, "question", question);
  json_object_set_string_member (r, "gold", gold);
  set_string (r, "reasoning_prompt", out->reasoning_prompt);
  set_string (r, "rationale", out->rationale);
  /* the reference code records it too: a rationale cut at max_tokens ("length") is worth knowing about */
  set_string (r, "reasoning_finish_reason", out->reasoning_finish_reason);
  set_string (r, "answer_trigger", out->answer_trigger);
  set_string (r, "answer_prompt", out->answer_prompt);
  set_string (r, "answer_text", out->answer_text);
  set_string (r, "completion", out->completion);
  if (out->completion != NULL && out->answer_text == NULL)
    {
      /* one request (boxed): the answer is in what the model wrote after its thinking */
      FtcAnswerFormat format = { task->answer_type, task->n_choices };
      g_autofree char *prediction = NULL;

      if (format.type == FTC_ANSWER_CHOICE && format.n_choices == 0)
        format.n_choices = ftc_answer_count_choices (question);
      prediction = ftc_answer_extract (&format, out->completion, FTC_EXTRACT_COMPLETION);
      json_object_set_string_member (r, "prediction", prediction != NULL ? prediction : "");
      json_object_set_boolean_member (r, "correct", ftc_answer_match_format (&format, prediction, gold));
    }
  else if (out->answer_text != NULL)
    {
      FtcAnswerFormat format = { task->answer_type, task->n_choices };
      g_autofree char *prediction = NULL;

      if (format.type == FTC_ANSWER_CHOICE && format.n_choices == 0)
        format.n_choices = ftc_answer_count_choices (question);
      prediction = ftc_answer_extract (&format, out->answer_text, FTC_EXTRACT_ANSWER_TEXT);
      json_object_set_string_member (r, "prediction", prediction != NULL ? prediction : "");
      json_object_set_boolean_member (r, "correct", ftc_answer_match (task->answer_type, prediction, gold));
    }
  set_string (r, "finish_reason", out->finish_reason);
  if (out->prompt_tokens >= 0 || out->completion_tokens >= 0)
    {
      JsonObject *u = json_object_new ();
      if (out->prompt_tokens >= 0)
        json_object_set_int_member (u, "prompt_tokens", out->prompt_tokens);
      if (out->completion_tokens >= 0)
        json_object_set_int_member (u, "completion_tokens", out->completion_tokens);
      if (out->reasoning_tokens >= 0)
        json_object_set_int_member (u, "reasoning_tokens", out->reasoning_tokens);
      json_object_set_object_member (r, "usage", u);
    }
  set_string (r, "model", out->model);
  if (out->params != NULL)
    json_object_set_object_member (r, "params", json_object_ref (out->params));
  return r;
}

const char *
ftc_teacher_kind (FtcTeacher *teacher)
{
  return teacher->klass->kind;
}

JsonObject *
ftc_teacher_describe (FtcTeacher *teacher)
{
  return teacher->klass->describe (teacher);
}

void
ftc_teacher_estimate (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink,
                      FtcTeachEstimate *out)
{
  memset (out, 0, sizeof *out);
  if (teacher->klass->estimate != NULL)
    teacher->klass->estimate (teacher, plan, sink, out);
}

gboolean
ftc_teacher_run (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink,
                 GCancellable *cancellable, GError **error)
{
  return teacher->klass->run (teacher, plan, sink, cancellable, error);
}

void
ftc_teacher_free (FtcTeacher *teacher)
{
  if (teacher != NULL)
    teacher->klass->finalize (teacher);
}
