/* test-score: scoring reproduces the published teacher accuracies of every shared teacher file, from the raw
 * step-2 answer texts (the files' own prediction and correct fields are not used for the accuracy); and
 * the `ftcot score` command (its path comes from meson in FTCOT_CLI) prints the same. */
#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-score.h"
#include "core/tasks/ftc-task-registry.h"
#include "tests/ftc-test-util.h"

/* the brief's tolerance for reproducing a published accuracy, in points */
#define ACCURACY_TOLERANCE 1.0

typedef struct {
  char *file;        /* "aqua.jsonl" */
  guint rows;
  char *trigger;
  double accuracy;   /* percent */
} SourceRow;

static void
source_row_free (SourceRow *row)
{
  g_free (row->file);
  g_free (row->trigger);
  g_free (row);
}

/* The table of ../shared/teacher/SOURCES.md: | text-davinci-002/X.jsonl | rows | trigger | 33.20% | bytes | */
static GPtrArray *
read_sources (void)
{
  g_autofree char *path = ftc_test_shared_path ("teacher", "SOURCES.md", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  GPtrArray *rows;

  if (path == NULL)
    return NULL;
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  regex = g_regex_new ("^\\| text-davinci-002/([a-z0-9_]+\\.jsonl) \\| ([0-9]+) \\| ([^|]+?) \\| ([0-9.]+)% \\|",
                       G_REGEX_MULTILINE, 0, NULL);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) source_row_free);
  g_regex_match (regex, contents, 0, &match);
  while (g_match_info_matches (match))
    {
      SourceRow *row = g_new0 (SourceRow, 1);
      g_autofree char *rows_text = g_match_info_fetch (match, 2);
      g_autofree char *accuracy_text = g_match_info_fetch (match, 4);

      row->file = g_match_info_fetch (match, 1);
      row->rows = (guint) g_ascii_strtoull (rows_text, NULL, 10);
      row->trigger = g_match_info_fetch (match, 3);
      row->accuracy = g_ascii_strtod (accuracy_text, NULL);
      g_ptr_array_add (rows, row);
      g_match_info_next (match, NULL);
    }
  return rows;
}

typedef struct {
  const char *trigger;
  guint agree;        /* our prediction equals the one Kojima et al.'s code logged */
  guint n;
} CheckRun;

static void
check_record (const FtcRecord *record, guint line, const char *prediction, gboolean correct, gpointer user_data)
{
  CheckRun *run = user_data;

  g_assert_nonnull (record->answer_text);
  g_assert_cmpstr (record->answer_trigger, ==, run->trigger);
  run->n++;
  if (g_strcmp0 (prediction != NULL ? prediction : "", record->prediction) == 0)
    run->agree++;
}

static void
test_teacher_accuracy (void)
{
  g_autoptr (GPtrArray) rows = read_sources ();
  g_autofree char *dir = ftc_test_shared_path ("teacher", "text-davinci-002", NULL);
  g_autoptr (GDir) d = NULL;
  const char *name;
  guint n_files = 0;
  GString *table = g_string_new ("\n| file | n | expected | got | difference | predictions agreeing |\n"
                                 "|---|---|---|---|---|---|\n");

  if (rows == NULL || dir == NULL)
    return;
  g_assert_cmpuint (rows->len, ==, 9);
  /* every file in the folder has its published accuracy */
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gboolean listed = FALSE;
      for (guint i = 0; i < rows->len; i++)
        listed |= strcmp (((SourceRow *) g_ptr_array_index (rows, i))->file, name) == 0;
      if (g_str_has_suffix (name, ".jsonl"))
        {
          g_assert_true (listed);
          n_files++;
        }
    }
  g_assert_cmpuint (n_files, ==, rows->len);

  for (guint i = 0; i < rows->len; i++)
    {
      SourceRow *row = g_ptr_array_index (rows, i);
      g_autofree char *key = g_strndup (row->file, strlen (row->file) - strlen (".jsonl"));
      g_autofree char *path = g_build_filename (dir, row->file, NULL);
      const FtcTaskInfo *info = ftc_task_info_lookup (key);
      FtcAnswerFormat format;
      FtcScoreTotals totals = { 0, 0 };
      g_autoptr (GError) error = NULL;
      CheckRun run = { 0 };
      double got;

      g_assert_nonnull (info);
      g_assert_cmpstr (info->answer_trigger, ==, row->trigger);
      format = ftc_answer_format_for_task_info (info);
      run.trigger = info->answer_trigger;
      g_assert_true (ftc_score_file (&format, path, FTC_SCORE_MODE_AUTO, check_record, &run, &totals, &error));
      g_assert_no_error (error);
      got = ftc_score_accuracy (&totals);
      g_string_append_printf (table, "| %s | %u | %.2f%% | %.2f%% | %+.2f | %u/%u |\n", row->file, totals.n,
                              row->accuracy, got, got - row->accuracy, run.agree, run.n);
      g_assert_cmpuint (totals.n, ==, row->rows);
      if (fabs (got - row->accuracy) > ACCURACY_TOLERANCE)
        g_error ("%s: accuracy %.2f%%, published %.2f%%", row->file, got, row->accuracy);
      /* the extraction itself agrees with the reference's on nearly every record */
      g_assert_cmpuint (run.agree * 1000, >=, run.n * 995);
    }
  g_test_message ("%s", table->str);
  g_string_free (table, TRUE);
}

/* The Fine-tune-CoT evaluator's 1e-6 tolerance only ever adds correct records. */
static void
test_reference_tolerance (void)
{
  const char *keys[] = { "single_eq", "gsm8k", "multiarith" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *file = g_strconcat (keys[i], ".jsonl", NULL);
      g_autofree char *path = ftc_test_shared_path ("teacher", "text-davinci-002", file, NULL);
      FtcAnswerFormat exact = { FTC_ANSWER_NUMBER, 0, 0.0 };
      FtcAnswerFormat tolerant = { FTC_ANSWER_NUMBER, 0, FTC_ANSWER_TOLERANCE_REFERENCE };
      FtcScoreTotals a = { 0 }, b = { 0 };

      if (path == NULL)
        return;
      g_assert_true (ftc_score_file (&exact, path, FTC_SCORE_MODE_AUTO, NULL, NULL, &a, NULL));
      g_assert_true (ftc_score_file (&tolerant, path, FTC_SCORE_MODE_AUTO, NULL, NULL, &b, NULL));
      g_assert_cmpuint (a.n, ==, b.n);
      g_assert_cmpuint (b.correct, >=, a.correct);
      if (strcmp (keys[i], "single_eq") == 0)
        g_assert_cmpuint (b.correct, >, a.correct);   /* "0.6666666666666667" for 2/3 */
    }
}

/* Records without answer_text are scored from their one-step completion. */
static void
test_completion_records (void)
{
  const char *contents =
    "{\"question\": \"q (A) x (B) y (C) z\", \"completion\": \" Bob has it --> B END\", \"gold\": \"B\"}\n"
    "{\"question\": \"q (A) x (B) y (C) z\", \"completion\": \" Alice --> A END\", \"gold\": \"B\"}\n"
    "{\"question\": \"q (A) x (B) y (C) z (D) w\", \"completion\": \" so D. The answer is D\", \"gold\": \"D\"}\n"
    "{\"question\": \"q (A) x (B) y (C) z\", \"completion\": \" --> END\", \"gold\": \"C\"}\n";
  g_autofree char *path = ftc_test_write_tmp ("student.jsonl", contents, -1);
  FtcAnswerFormat varying = { FTC_ANSWER_CHOICE, 0 };
  FtcAnswerFormat three = { FTC_ANSWER_CHOICE, 3 };
  FtcScoreTotals totals = { 0 };

  g_assert_true (ftc_score_file (&varying, path, FTC_SCORE_MODE_AUTO, NULL, NULL, &totals, NULL));
  g_assert_cmpuint (totals.n, ==, 4);
  g_assert_cmpuint (totals.correct, ==, 2);
  /* with three letters, D is not an answer */
  g_assert_true (ftc_score_file (&three, path, FTC_SCORE_MODE_AUTO, NULL, NULL, &totals, NULL));
  g_assert_cmpuint (totals.correct, ==, 1);
}

static void
test_score_bad_file (void)
{
  g_autofree char *path = ftc_test_write_tmp ("bad.jsonl",
      "{\"question\": \"q\", \"answer_text\": \" 1\", \"gold\": \"1\"}\n{\"question\": \n", -1);
  g_autofree char *torn = ftc_test_write_tmp ("torn.jsonl",
      "{\"question\": \"q\", \"answer_text\": \" 1\", \"gold\": \"1\"}\n{\"question\": ", -1);
  FtcAnswerFormat format = { FTC_ANSWER_NUMBER, 0 };
  FtcScoreTotals totals = { 7, 7 };
  g_autoptr (GError) error = NULL;

  g_assert_false (ftc_score_file (&format, path, FTC_SCORE_MODE_AUTO, NULL, NULL, &totals, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, ":2: malformed JSON"));
  g_assert_cmpuint (totals.n, ==, 7);   /* untouched on failure */
  /* a last line cut short without its newline (a writer killed midway) is not a record yet: not counted */
  g_assert_true (ftc_score_file (&format, torn, FTC_SCORE_MODE_AUTO, NULL, NULL, &totals, NULL));
  g_assert_cmpuint (totals.n, ==, 1);
}

/* ---- the command ---- */

static const char *
cli_path (void)
{
  const char *cli = g_getenv ("FTCOT_CLI");

  if (cli == NULL || !g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("FTCOT_CLI does not name the built ftcot");
      return NULL;
    }
  return cli;
}

/* Runs ftcot with args; returns the exit status. */
static int
run_cli (const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) cli_path ());
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &wait_status, &error));
  g_assert_no_error (error);
  if (g_spawn_check_wait_status (wait_status, &error))
    return 0;
  g_assert_true (error->domain == G_SPAWN_EXIT_ERROR);
  return error->code;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_cli_json (void)
{
  g_autofree char *path = ftc_test_shared_path ("teacher", "text-davinci-002", "multiarith.jsonl", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonObject) o = NULL;
  FtcAnswerFormat format = { FTC_ANSWER_NUMBER, 0 };
  FtcScoreTotals totals = { 0 };

  if (path == NULL || cli_path () == NULL)
    return;
  const char *args[] = { "score", "--task", "multiarith", "--json", path, NULL };
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  o = parse_object (out);
  g_assert_true (ftc_score_file (&format, path, FTC_SCORE_MODE_AUTO, NULL, NULL, &totals, NULL));
  g_assert_cmpint (json_object_get_int_member (o, "n"), ==, totals.n);
  g_assert_cmpint (json_object_get_int_member (o, "n"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (o, "correct"), ==, totals.correct);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "accuracy"),
                                  100.0 * totals.correct / totals.n, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "accuracy"), 78.67, 1.0);
  g_assert_cmpstr (json_object_get_string_member (o, "task"), ==, "multiarith");
  g_assert_false (json_object_has_member (o, "records"));
}

static void
test_cli_details_json (void)
{
  g_autofree char *path = ftc_test_shared_path ("teacher", "text-davinci-002", "aqua.jsonl", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonObject) o = NULL;
  JsonArray *records;
  gint64 correct = 0;

  if (path == NULL || cli_path () == NULL)
    return;
  const char *args[] = { "score", "--task", "aqua", "--json", "--details", path, NULL };
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  o = parse_object (out);
  records = json_object_get_array_member (o, "records");
  g_assert_cmpuint (json_array_get_length (records), ==, json_object_get_int_member (o, "n"));
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *r = json_array_get_object_element (records, i);
      JsonNode *prediction = json_object_get_member (r, "prediction");
      g_assert_cmpint (json_object_get_int_member (r, "line"), ==, i + 1);
      g_assert_true (JSON_NODE_HOLDS_NULL (prediction)
                     || strchr ("ABCDE", json_node_get_string (prediction)[0]) != NULL);
      correct += json_object_get_boolean_member (r, "correct");
    }
  g_assert_cmpint (correct, ==, json_object_get_int_member (o, "correct"));
}

static void
test_cli_text_and_answer_type (void)
{
  const char *contents =
    "{\"question\": \"q\", \"completion\": \" 2 + 2 = 4 --> 4 END\", \"gold\": \"4\"}\n"
    "{\"question\": \"q\", \"completion\": \" 1,000 + 1 --> 1,001 END\", \"gold\": 1001}\n"
    "{\"question\": \"q\", \"completion\": \" 3 * 3 --> 10 END\", \"gold\": \"9\"}\n";
  g_autofree char *path = ftc_test_write_tmp ("imported.jsonl", contents, -1);
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) lines = NULL;

  if (cli_path () == NULL)
    return;
  const char *args[] = { "score", "--answer-type", "number", "--details", path, NULL };
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "line\tprediction\tgold\tresult");
  g_assert_cmpstr (lines[1], ==, "1\t4\t4\tcorrect");
  g_assert_cmpstr (lines[2], ==, "2\t1001\t1001\tcorrect");
  g_assert_cmpstr (lines[3], ==, "3\t10\t9\twrong");
  g_assert_nonnull (strstr (out, "n         3\n"));
  g_assert_nonnull (strstr (out, "correct   2\n"));
  g_assert_nonnull (strstr (out, "accuracy  66.67%\n"));
}

static void
test_cli_errors (void)
{
  g_autofree char *bad = ftc_test_write_tmp ("bad.jsonl",
      "{\"question\": \"q\", \"answer_text\": \" 1\", \"gold\": \"1\"}\n[oops\n", -1);
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *absent = g_build_filename (dir, "absent.jsonl", NULL);
  g_autofree char *bad_message = g_strdup_printf ("ftcot score: %s:2: malformed JSON", bad);
  const struct {
    const char *args[8];
    int status;
    const char *message;
  } cases[] = {
    { { "score", "--task", "gsm8", bad, NULL }, 2, "ftcot score: unknown task 'gsm8'; did you mean 'gsm8k'?" },
    { { "score", "--task", "zzzzzzzzzzzz", bad, NULL }, 2, "unknown task 'zzzzzzzzzzzz'" },
    { { "score", "--task", "gsm8k", bad, NULL }, 1, bad_message },
    { { "score", "--task", "gsm8k", absent, NULL }, 1, absent },
    { { "score", bad, NULL }, 2, "give either --task KEY or --answer-type TYPE" },
    { { "score", "--task", "gsm8k", "--answer-type", "number", bad, NULL }, 2, "give either" },
    { { "score", "--answer-type", "choice:99", bad, NULL }, 2, "choice:N with N from 1 to 26" },
    { { "score", "--task", "gsm8k", "--mode", "sideways", bad, NULL }, 2, "unknown mode 'sideways'" },
    { { "score", "--task", "gsm8k", "--tolerance", "-1", bad, NULL }, 2, "--tolerance" },
    { { "score", "--task", "gsm8k", NULL }, 2, "expected one FILE.jsonl" },
    { { "score", "--bogus", NULL }, 2, "--bogus" },
  };

  if (cli_path () == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = run_cli (cases[i].args, &out, &err);

      if (status != cases[i].status || strstr (err, cases[i].message) == NULL)
        g_error ("error case %" G_GSIZE_FORMAT ": status %d, stderr \"%s\"; expected %d and \"%s\"", i, status,
                 err, cases[i].status, cases[i].message);
      g_assert_cmpstr (out, ==, "");
    }
}

/* 16 completions for each of three math questions, written out of order; the expected numbers are
 * computed by hand below. */
static char *
write_sixteen_samples (void)
{
  /* completion_index order; q1 is correct 4 times ("12"), q2 9 times (one half, written three ways),
   * q3 never (and twice without an answer) */
  static const char *const q1[16] = { "12", "7", "7", "12", "8", "8", "8", "8", "8", "8", "8", "7", "7", "7", "12", "12" };
  static const char *const q2[16] = { "\\\\frac13", "0.5", "1/2", "\\\\frac{1}{3}", "\\\\frac{1}{2}", "0.5", "0.5", "1/2",
                                      "\\\\frac{1}{3}", "\\\\frac{1}{3}", "\\\\frac{1}{3}", "\\\\frac{1}{3}", "\\\\frac{1}{3}",
                                      "\\\\tfrac12", "\\\\dfrac{1}{2}", "0.50" };
  static const char *const q3[16] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
                                      "no idea", "no idea" };
  const char *const *answers[3] = { q1, q2, q3 };
  static const char *const gold[3] = { "12", "\\\\frac{1}{2}", "99" };
  g_autoptr (GString) s = g_string_new (NULL);

  /* every question's samples in the order 15, 14, ..., 0 and the questions interleaved: the grouping and
   * the completion_index order are the reader's work */
  for (int k = 15; k >= 0; k--)
    for (int q = 0; q < 3; q++)
      g_string_append_printf (s, "{\"sample_id\": \"q%d\", \"completion_index\": %d, \"question\": \"Q%d\", "
                              "\"gold\": \"%s\", \"completion\": \"... so the answer is \\\\boxed{%s}\"}\n",
                              q + 1, k, q + 1, gold[q], answers[q][k]);
  return ftc_test_write_tmp ("sixteen.jsonl", s->str, s->len);
}

static void
test_cli_sampled (void)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonObject) o = NULL;

  if (cli_path () == NULL)
    return;
  path = write_sixteen_samples ();
  {
    const char *args[] = { "score", "--answer-type", "math", "--json", path, NULL };
    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  }
  o = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (o, "n"), ==, 48);
  g_assert_cmpint (json_object_get_int_member (o, "correct"), ==, 13);
  g_assert_cmpint (json_object_get_int_member (o, "questions"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (o, "samples_per_question"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (o, "k"), ==, 16);
  /* avg@16 = (4/16 + 9/16 + 0/16) / 3 = 13/48 */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "avg_at_k"), 100.0 * 13 / 48, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "pass_at_1"), 100.0 * 13 / 48, 1e-9);
  /* pass@16 with 16 samples: a question counts when any sample is right: (1 + 1 + 0) / 3 */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "pass_at_k"), 100.0 * 2 / 3, 1e-9);
  /* maj@16: q1 votes "8" (7 of 16) over "12" (4), wrong; q2 one half (9: 0.5, 1/2, \frac{1}{2}, \tfrac12,
   * \dfrac{1}{2} and 0.50 vote together) over one third (7), right; q3 wrong: 1/3 */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "maj_at_k"), 100.0 / 3, 1e-9);
  g_assert_true (json_object_has_member (o, "avg_at_k_ci95"));
  g_clear_pointer (&o, json_object_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    const char *args[] = { "score", "--answer-type", "math", "--json", "--k", "4", path, NULL };
    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  }
  o = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (o, "k"), ==, 4);
  /* pass@4 = mean (1 - C(12,4)/C(16,4), 1 - C(7,4)/C(16,4), 0) = mean (1 - 495/1820, 1 - 35/1820, 0) */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "pass_at_k"),
                                  100.0 * ((1 - 495.0 / 1820) + (1 - 35.0 / 1820)) / 3, 1e-9);
  /* avg@4 estimated from all 16: the same 13/48 */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "avg_at_k"), 100.0 * 13 / 48, 1e-9);
  /* maj@4 over completions 0..3: q1 "12" "7" "7" "12" ties, the first ("12") wins: right; q2 \frac13,
   * 0.5, 1/2, \frac{1}{3} ties, the first (one third) wins: wrong; q3 wrong */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "maj_at_k"), 100.0 / 3, 1e-9);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* more than the questions have */
  {
    const char *args[] = { "score", "--answer-type", "math", "--k", "17", path, NULL };
    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "only 16 completions"));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* the text output says the same */
  {
    const char *args[] = { "score", "--answer-type", "math", path, NULL };
    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "avg@16    27.08%"));
    g_assert_nonnull (strstr (out, "maj@16    33.33%"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/score/cli-sampled", test_cli_sampled);
  g_test_add_func ("/score/teacher-accuracy", test_teacher_accuracy);
  g_test_add_func ("/score/reference-tolerance", test_reference_tolerance);
  g_test_add_func ("/score/completion-records", test_completion_records);
  g_test_add_func ("/score/bad-file", test_score_bad_file);
  g_test_add_func ("/score/cli-json", test_cli_json);
  g_test_add_func ("/score/cli-details-json", test_cli_details_json);
  g_test_add_func ("/score/cli-text-and-answer-type", test_cli_text_and_answer_type);
  g_test_add_func ("/score/cli-errors", test_cli_errors);
  return g_test_run ();
}
