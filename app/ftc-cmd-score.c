/* ftcot score: accuracy of a file of completion records under a task's answer extraction. */
#include <math.h>
#include <stdio.h>

#include "app/ftc-cli.h"
#include "core/ftc-error.h"
#include "core/ftc-json-out.h"
#include "core/tasks/ftc-score.h"
#include "core/tasks/ftc-task-registry.h"

typedef struct {
  gboolean json;
  gboolean details;
  const char *task_key;
  const char *path;
  JsonArray *records;    /* --details --json */
  gboolean warned_task;
  FtcScoreSamples *samples;
} ScoreRun;

static void
on_record (const FtcRecord *record, guint line, const char *prediction, gboolean correct, gpointer user_data)
{
  ScoreRun *run = user_data;

  if (run->task_key != NULL && record->task != NULL && g_strcmp0 (record->task, run->task_key) != 0
      && !run->warned_task)
    {
      g_printerr ("ftcot score: warning: %s:%u: a record of task '%s' is scored as '%s'\n", run->path, line,
                  record->task, run->task_key);
      run->warned_task = TRUE;
    }
  ftc_score_samples_add (run->samples, record, prediction, correct);
  if (!run->details)
    return;
  if (run->json)
    {
      JsonObject *o = json_object_new ();
      json_object_set_int_member (o, "line", line);
      if (record->sample_id != NULL)
        json_object_set_string_member (o, "sample_id", record->sample_id);
      if (record->sample_index >= 0)
        json_object_set_int_member (o, "sample_index", record->sample_index);
      json_object_set_int_member (o, "completion_index", record->completion_index);
      if (prediction != NULL)
        json_object_set_string_member (o, "prediction", prediction);
      else
        json_object_set_null_member (o, "prediction");
      json_object_set_string_member (o, "gold", record->gold);
      json_object_set_boolean_member (o, "correct", correct);
      json_array_add_object_element (run->records, o);
    }
  else
    {
      g_autofree char *gold = g_strescape (record->gold, NULL);
      g_autofree char *shown = prediction != NULL ? g_strescape (prediction, NULL) : g_strdup ("-");
      g_print ("%u\t%s\t%s\t%s\n", line, shown, gold, correct ? "correct" : "wrong");
    }
}

/* name: the value in percent, name_ci95: its 95% bootstrap interval (left out when unknown) */
static void
set_estimate (JsonObject *o, const char *name, const FtcEstimate *e)
{
  g_autofree char *ci = g_strconcat (name, "_ci95", NULL);

  if (isnan (e->value))
    {
      json_object_set_null_member (o, name);
      return;
    }
  json_object_set_double_member (o, name, 100.0 * e->value);
  if (!isnan (e->lo) && !isnan (e->hi))
    {
      JsonArray *a = json_array_new ();
      json_array_add_double_element (a, 100.0 * e->lo);
      json_array_add_double_element (a, 100.0 * e->hi);
      json_object_set_array_member (o, ci, a);
    }
}

int
ftc_cmd_score (int argc, char **argv)
{
  g_autofree char *task_key = NULL;
  g_autofree char *answer_type = NULL;
  g_autofree char *mode_name = NULL;
  gboolean json = FALSE, details = FALSE;
  double tolerance = 0.0;
  int k_option = 0;
  GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &task_key, "Task whose answer extraction to use", "KEY" },
    { "answer-type", 'a', 0, G_OPTION_ARG_STRING, &answer_type,
      "Answer format instead of a task (imported tasks): number, choice, choice:N, yesno, text, math", "TYPE" },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_name,
      "Extraction mode: answer-text, arrow, the-answer-is, therefore, direct, completion "
      "(default: answer-text for records with answer_text, completion otherwise)", "MODE" },
    { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &tolerance,
      "Numbers within this distance of gold count as correct (default 0: equal values; the Fine-tune-CoT "
      "evaluator uses 1e-6 for addsub, svamp and single_eq)", "X" },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k_option,
      "With several completions per question: pass@k, avg@k and maj@k at this k (default: the fewest "
      "completions any question has)", "K" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { "details", 'd', 0, G_OPTION_ARG_NONE, &details, "Print the prediction of every record", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) records = NULL;
  FtcAnswerFormat format = { 0 };
  FtcExtractMode mode = FTC_SCORE_MODE_AUTO;
  FtcScoreTotals totals = { 0, 0 };
  g_autofree char *format_name = NULL;
  g_autoptr (FtcScoreSamples) samples = NULL;
  FtcSampledMetrics metrics = { 0 };
  guint per_question = 0;
  ScoreRun run = { 0 };

  if (!ftc_cli_parse ("score", "FILE.jsonl",
                      "Scores a file of completion records (JSON lines with question, answer_text or completion, "
                      "and gold) with a task's answer extraction, and prints n, correct and accuracy.",
                      entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (argc != 2)
    return ftc_cli_usage_error ("score", "expected one FILE.jsonl");
  if ((task_key == NULL) == (answer_type == NULL))
    return ftc_cli_usage_error ("score", "give either --task KEY or --answer-type TYPE");
  if (task_key != NULL)
    {
      const FtcTaskInfo *info = ftc_task_info_lookup (task_key);
      if (info == NULL)
        {
          const char *suggestion = ftc_task_key_suggest (task_key);
          if (suggestion != NULL)
            return ftc_cli_usage_error ("score", "unknown task '%s'; did you mean '%s'?", task_key, suggestion);
          return ftc_cli_usage_error ("score", "unknown task '%s' (see 'ftcot tasks')", task_key);
        }
      format = ftc_answer_format_for_task_info (info);
    }
  else if (!ftc_answer_format_parse (answer_type, &format, &error))
    return ftc_cli_usage_error ("score", "%s", error->message);
  if (!(tolerance >= 0.0) || isinf (tolerance))
    return ftc_cli_usage_error ("score", "--tolerance must be a non-negative number");
  format.tolerance = tolerance;
  if (mode_name != NULL && !ftc_extract_mode_from_string (mode_name, &mode))
    return ftc_cli_usage_error ("score", "unknown mode '%s'", mode_name);

  if (k_option < 0)
    return ftc_cli_usage_error ("score", "--k must be at least 1");
  run.samples = samples = ftc_score_samples_new (&format);
  run.json = json;
  run.details = details;
  run.task_key = task_key;
  run.path = argv[1];
  if (json && details)
    run.records = records = json_array_new ();
  else if (details)
    g_print ("line\tprediction\tgold\tresult\n");
  if (!ftc_score_file (&format, argv[1], mode, on_record, &run, &totals, &error))
    return ftc_cli_error ("score", error);

  format_name = ftc_answer_format_to_string (&format);
  /* several completions of a question: the sampled metrics at k */
  per_question = ftc_score_samples_min (samples);
  if (ftc_score_samples_max (samples) > 1 || k_option > 0)
    {
      int k = k_option > 0 ? k_option : (int) per_question;
      if ((guint) k > per_question)
        return ftc_cli_usage_error ("score", "--k %d: a question of %s has only %u completions", k, argv[1],
                                    per_question);
      ftc_score_samples_metrics (samples, k, &metrics);
    }
  if (json)
    {
      g_autoptr (JsonObject) o = json_object_new ();
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *text = NULL;

      json_object_set_string_member (o, "file", argv[1]);
      if (task_key != NULL)
        json_object_set_string_member (o, "task", task_key);
      json_object_set_string_member (o, "answer_type", format_name);
      json_object_set_string_member (o, "mode", mode_name != NULL ? mode_name : "auto");
      json_object_set_double_member (o, "tolerance", format.tolerance);
      json_object_set_int_member (o, "n", totals.n);
      json_object_set_int_member (o, "correct", totals.correct);
      json_object_set_double_member (o, "accuracy", ftc_score_accuracy (&totals));
      if (metrics.k > 0)
        {
          FtcSampledMetrics at1;
          json_object_set_int_member (o, "questions", ftc_score_samples_questions (samples));
          json_object_set_int_member (o, "samples_per_question", per_question);
          json_object_set_int_member (o, "k", metrics.k);
          set_estimate (o, "avg_at_k", &metrics.avg_at_k);
          set_estimate (o, "pass_at_k", &metrics.pass_at_k);
          set_estimate (o, "maj_at_k", &metrics.maj_at_k);
          ftc_score_samples_metrics (samples, 1, &at1);
          set_estimate (o, "pass_at_1", &at1.pass_at_k);
        }
      if (records != NULL)
        json_object_set_array_member (o, "records", json_array_ref (records));
      json_node_set_object (root, o);
      text = ftc_json_to_pretty_string (root);
      fputs (text, stdout);
    }
  else
    {
      g_print ("%s: %s (%s)\n", argv[1], task_key != NULL ? task_key : "imported task", format_name);
      g_print ("n         %u\n", totals.n);
      g_print ("correct   %u\n", totals.correct);
      g_print ("accuracy  %.2f%%\n", ftc_score_accuracy (&totals));
      if (metrics.k > 0)
        {
          g_print ("questions %u, %u completions each (at least)\n", ftc_score_samples_questions (samples),
                   per_question);
          g_print ("avg@%-5d %.2f%% [%.2f, %.2f]\n", metrics.k, 100 * metrics.avg_at_k.value,
                   100 * metrics.avg_at_k.lo, 100 * metrics.avg_at_k.hi);
          g_print ("pass@%-4d %.2f%% [%.2f, %.2f]\n", metrics.k, 100 * metrics.pass_at_k.value,
                   100 * metrics.pass_at_k.lo, 100 * metrics.pass_at_k.hi);
          g_print ("maj@%-5d %.2f%% [%.2f, %.2f]\n", metrics.k, 100 * metrics.maj_at_k.value,
                   100 * metrics.maj_at_k.lo, 100 * metrics.maj_at_k.hi);
        }
    }
  return FTC_EXIT_OK;
}
