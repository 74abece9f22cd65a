/* The teacher view: the exact Zero-shot-CoT prompts in the preview, template edits, usage from the
 * records, live arrival of new records, templates saved into experiment.json. */
#include <string.h>

#include <json-glib/json-glib.h>

#include "app/studio/ftc-rationale-item.h"
#include "app/studio/ftc-teacher-page.h"
#include "core/teach/ftc-teacher.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-studio.h"
#include "tests/ftc-test-util.h"

static FtcTeacherPage *
open_page (const char *dir, GtkWidget **window)
{
  GtkWidget *page = ftc_teacher_page_new ();

  *window = ftc_test_studio_show (page, 1100, 760);
  ftc_teacher_page_set_directory (FTC_TEACHER_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_null (ftc_teacher_page_get_error (FTC_TEACHER_PAGE (page)));
  return FTC_TEACHER_PAGE (page);
}

static void
test_preview_and_usage (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *path = g_build_filename (dir, "teacher", "coin_flip.jsonl", NULL);
  g_autoptr (GPtrArray) recs = ftc_test_studio_read_jsonl (path);
  JsonObject *first = recs->pdata[0];
  GtkWidget *window;
  FtcTeacherPage *page = open_page (dir, &window);
  g_autofree char *preview = ftc_teacher_page_dup_preview (page);
  g_autofree char *step1 = NULL;
  g_autofree char *step2 = NULL;
  guint completions;
  gint64 pt, ct, want_pt = 0, want_ct = 0;
  guint want_completions = 0;
  const char *tasks[] = { "coin_flip", "last_letter_concatenation" };

  /* the recorded prompts are what the preview must reproduce byte for byte */
  step1 = g_strdup (json_object_get_string_member (first, "reasoning_prompt"));
  g_assert_nonnull (strstr (preview, step1));
  /* the teacher's own prompt functions (core/teach/ftc-teacher.h) give the same text */
  {
    g_autofree char *core1 = ftc_cot_reasoning_prompt (json_object_get_string_member (first, "question"));
    g_assert_cmpstr (core1, ==, step1);
  }
  step2 = ftc_cot_answer_prompt (step1, json_object_get_string_member (first, "rationale"),
                                 "Therefore, the answer (Yes or No) is");
  g_assert_nonnull (strstr (preview, step2));
  /* and it is what the record says was sent */
  g_assert_cmpstr (step2, ==, json_object_get_string_member (first, "answer_prompt"));

  /* editing a template updates the preview at once */
  ftc_teacher_page_set_templates (page, "Let's work this out in a step by step way.", "So the answer is", "You are a careful tutor.");
  g_free (preview);
  preview = ftc_teacher_page_dup_preview (page);
  g_assert_nonnull (strstr (preview, "A: Let's work this out in a step by step way."));
  g_assert_nonnull (strstr (preview, " \nSo the answer is"));
  /* a completions request has no system message */
  g_assert_null (strstr (preview, "You are a careful tutor."));
  g_assert_null (strstr (preview, "Let's think step by step."));

  /* another question */
  ftc_teacher_page_set_question (page, 5);
  g_free (preview);
  preview = ftc_teacher_page_dup_preview (page);
  g_assert_null (strstr (preview, json_object_get_string_member (first, "question")));

  for (guint t = 0; t < G_N_ELEMENTS (tasks); t++)
    {
      g_autofree char *name = g_strdup_printf ("%s.jsonl", tasks[t]);
      g_autofree char *p = g_build_filename (dir, "teacher", name, NULL);
      g_autoptr (GPtrArray) r = ftc_test_studio_read_jsonl (p);
      for (guint i = 0; i < r->len; i++)
        {
          JsonObject *u = json_object_get_object_member (r->pdata[i], "usage");
          want_pt += json_object_get_int_member (u, "prompt_tokens");
          want_ct += json_object_get_int_member (u, "completion_tokens");
          want_completions++;
        }
    }
  ftc_teacher_page_get_usage (page, &completions, &pt, &ct);
  g_assert_cmpuint (completions, ==, want_completions);
  g_assert_cmpint (pt, ==, want_pt);
  g_assert_cmpint (ct, ==, want_ct);
  g_assert_cmpuint (ftc_teacher_page_get_n_questions (page), ==, want_completions / 2);   /* D = 2 */

  /* nothing runs: start on, pause and cancel off */
  g_assert_true (gtk_widget_is_sensitive (ftc_test_studio_find_action (GTK_WIDGET (page), "teacher.start")));
  g_assert_false (gtk_widget_is_sensitive (ftc_test_studio_find_action (GTK_WIDGET (page), "teacher.pause")));
  g_assert_false (gtk_widget_is_sensitive (ftc_test_studio_find_action (GTK_WIDGET (page), "teacher.cancel")));
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  FtcTeacherPage *page;
  guint want;
} Want;

static gboolean
has_completions (gpointer data)
{
  Want *w = data;
  guint n;
  gint64 a, b;

  ftc_teacher_page_get_usage (w->page, &n, &a, &b);
  return n >= w->want;
}

static void
test_live_records_and_save (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *path = g_build_filename (dir, "teacher", "coin_flip.jsonl", NULL);
  g_autofree char *exp_path = g_build_filename (dir, "experiment.json", NULL);
  GtkWidget *window;
  FtcTeacherPage *page = open_page (dir, &window);
  guint n0;
  gint64 a, b;
  Want w;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *teacher;

  ftc_teacher_page_get_usage (page, &n0, &a, &b);
  {
    g_autoptr (GFile) file = g_file_new_for_path (path);
    g_autoptr (GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);
    const char *line = "{\"task\": \"coin_flip\", \"sample_id\": \"coin_flip-99\", \"index\": 99, \"completion_index\": 0, "
                       "\"question\": \"A coin is heads up. Zed flips the coin. Is the coin still heads up?\", "
                       "\"gold\": \"no\", \"rationale\": \" Zed flips it, so it is tails up.\", \"prediction\": \"no\", "
                       "\"correct\": true, \"finish_reason\": \"stop\", \"usage\": {\"prompt_tokens\": 30, \"completion_tokens\": 9}}\n";
    g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), line, strlen (line), NULL, NULL, NULL));
    g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
  }
  w.page = page;
  w.want = n0 + 1;
  ftc_test_studio_wait (has_completions, &w, 10000);
  {
    g_autoptr (FtcRationaleItem) newest = g_list_model_get_item (ftc_teacher_page_get_latest (page), 0);
    g_assert_cmpstr (ftc_rationale_item_get_sample_id (newest), ==, "coin_flip-99");
  }

  ftc_teacher_page_set_templates (page, "Let's reason carefully.", NULL, NULL);
  g_assert_true (ftc_teacher_page_save_templates (page, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, exp_path, NULL));
  teacher = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "teacher");
  /* the other teacher settings are kept */
  g_assert_cmpint (json_object_get_int_member (teacher, "samples"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (teacher, "reasoning_trigger"), ==, "Let's reason carefully.");
  /* no answer trigger set: each task keeps its own */
  g_assert_false (json_object_has_member (teacher, "answer_trigger"));
  g_assert_false (json_object_has_member (teacher, "system_prompt"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_prompt_functions (void)
{
  g_autofree char *s1 = ftc_teacher_reasoning_prompt ("What is 2+3?", "Let's think step by step.");
  g_autofree char *s2 = ftc_teacher_answer_prompt ("What is 2+3?", "Let's think step by step.", " 2+3 is 5.",
                                                   "Therefore, the answer (arabic numerals) is");

  /* Kojima et al.: "Q: {q}\nA: {trigger}", then the rationale, " ", and "\n" + the answer trigger */
  g_assert_cmpstr (s1, ==, "Q: What is 2+3?\nA: Let's think step by step.");
  g_assert_cmpstr (s2, ==, "Q: What is 2+3?\nA: Let's think step by step. 2+3 is 5. \nTherefore, the answer (arabic numerals) is");
}

static void
test_cost_meter (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *exp = g_build_filename (dir, "experiment.json", NULL);
  GtkWidget *window;
  FtcTeacherPage *page;
  guint n;
  gint64 pt, ct;
  g_autofree char *want = NULL;

  /* an endpoint teacher with a price in the built-in table (USD 0.15 / 0.60 per million tokens) */
  g_assert_true (g_file_set_contents (exp, "{\"teacher\": {\"kind\": \"openai\", \"model\": \"gpt-4o-mini\", "
                                      "\"samples\": 2, \"budget_usd\": 1}}", -1, NULL));
  page = open_page (dir, &window);
  ftc_teacher_page_get_usage (page, &n, &pt, &ct);
  want = g_strdup_printf ("$%.4f", (pt * 0.15 + ct * 0.60) / 1e6);
  g_assert_cmpstr (ftc_teacher_page_get_cost_text (page), ==, want);
  /* a chat endpoint gets turns: the preview shows them */
  {
    g_autofree char *preview = NULL;
    ftc_teacher_page_set_templates (page, NULL, NULL, "You are a careful tutor.");
    preview = ftc_teacher_page_dup_preview (page);
    g_assert_nonnull (strstr (preview, "[system]\nYou are a careful tutor."));
    g_assert_nonnull (strstr (preview, "[user]\nQ: "));
    g_assert_nonnull (strstr (preview, "[assistant]\n"));
  }
  gtk_window_destroy (GTK_WINDOW (window));

  /* prices named by the experiment win */
  g_assert_true (g_file_set_contents (exp, "{\"teacher\": {\"kind\": \"openai\", \"model\": \"gpt-4o-mini\", "
                                      "\"price_prompt_per_mtok\": 1000, \"price_completion_per_mtok\": 2000}}", -1, NULL));
  page = open_page (dir, &window);
  g_free (want);
  want = g_strdup_printf ("$%.4f", (pt * 1000.0 + ct * 2000.0) / 1e6);
  g_assert_cmpstr (ftc_teacher_page_get_cost_text (page), ==, want);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
job_idle (gpointer page)
{
  return !ftc_teacher_page_get_job_running (page);
}

static void
test_job_error (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *exp = g_build_filename (dir, "experiment.json", NULL);
  GtkWidget *window;
  FtcTeacherPage *page;

  /* an endpoint teacher without a model: the job is not built, the view says why, Start is back */
  g_assert_true (g_file_set_contents (exp, "{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"n\": 20}], "
                                      "\"teacher\": {\"kind\": \"openai\", \"endpoint\": \"http://127.0.0.1:9/v1\"}}", -1, NULL));
  page = open_page (dir, &window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teacher.start", NULL));
  ftc_test_studio_wait (job_idle, page, 20000);
  g_assert_null (ftc_teacher_page_get_job (page));
  g_assert_nonnull (ftc_teacher_page_get_job_status (page));
  g_assert_nonnull (strstr (ftc_teacher_page_get_job_status (page), "model"));
  g_assert_true (gtk_widget_is_sensitive (ftc_test_studio_find_action (GTK_WIDGET (page), "teacher.start")));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
job_started (gpointer page)
{
  return ftc_teacher_page_get_job (page) != NULL;
}

static void
test_teach_job (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *exp = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *records = g_build_filename (dir, "teacher", "synthetic_coin_flip.train.jsonl", NULL);
  GtkWidget *window;
  FtcTeacherPage *page;
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint total, completions;
  gint64 a, b;
  Want w;

  /* 60 generated samples, the default 70/30 split: 42 training questions, D = 2 */
  g_assert_true (g_file_set_contents (exp, "{\"version\": 1, \"tasks\": [{\"key\": \"synthetic_coin_flip\", \"n\": 60}], "
                                      "\"teacher\": {\"kind\": \"scripted\", \"samples\": 2}, \"seeds\": 5}", -1, NULL));
  page = open_page (dir, &window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teacher.start", NULL));
  g_assert_true (ftc_teacher_page_get_job_running (page));
  ftc_test_studio_wait (job_started, page, 20000);
  /* pause at once: whatever was written stays, the job waits to resume */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teacher.pause", NULL));
  ftc_test_studio_wait (job_idle, page, 20000);
  total = 42 * 2;
  /* (a machine fast enough finishes before the pause lands: then there is nothing to resume) */
  if (ftc_teacher_page_get_job (page) != NULL)
    {
      g_assert_cmpuint (ftc_teach_job_get_total (ftc_teacher_page_get_job (page)), ==, total);
      g_assert_cmpuint (ftc_teach_job_get_done (ftc_teacher_page_get_job (page)), <, total);
      g_assert_true (gtk_widget_is_sensitive (ftc_test_studio_find_action (GTK_WIDGET (page), "teacher.resume")));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teacher.resume", NULL));
      ftc_test_studio_wait (job_idle, page, 30000);
    }
  g_test_message ("status: %s", ftc_teacher_page_get_job_status (page));
  /* done: the job is let go, every question has its D rationales, each exactly once */
  g_assert_null (ftc_teacher_page_get_job (page));
  lines = ftc_test_studio_read_jsonl (records);
  g_assert_cmpuint (lines->len, ==, total);
  for (guint i = 0; i < lines->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT,
                                              json_object_get_string_member (lines->pdata[i], "sample_id"),
                                              json_object_get_int_member (lines->pdata[i], "completion_index"));
      g_assert_false (g_hash_table_contains (seen, key));
      g_hash_table_add (seen, g_steal_pointer (&key));
    }
  /* then, as `ftcot run` does for the teacher baseline (a default method), the 18 test questions once each */
  {
    g_autofree char *test_records = g_build_filename (dir, "teacher", "synthetic_coin_flip.test.jsonl", NULL);
    g_autoptr (GPtrArray) test_lines = ftc_test_studio_read_jsonl (test_records);
    g_assert_cmpuint (test_lines->len, ==, 18);
  }
  /* the view follows the records it wrote */
  w.page = page;
  w.want = total + 18;
  ftc_test_studio_wait (has_completions, &w, 10000);
  ftc_teacher_page_get_usage (page, &completions, &a, &b);
  g_assert_cmpuint (completions, ==, total + 18);
  g_assert_cmpuint (ftc_teacher_page_get_n_questions (page), ==, 60);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Start teaches every task of the experiment, in order, each with its own sizes. */
static void
test_teach_every_task (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *exp = g_build_filename (dir, "experiment.json", NULL);
  static const char *const keys[] = { "synthetic_coin_flip", "synthetic_arithmetic", "synthetic_last_letters" };
  static const guint train_sizes[] = { 5, 7, 4 };
  GtkWidget *window;
  FtcTeacherPage *page;
  guint n_tasks = 0;
  gint64 last_mtime = 0;

  g_assert_true (g_file_set_contents (exp, "{\"version\": 1, \"tasks\": ["
                                      "{\"key\": \"synthetic_coin_flip\", \"n\": 30, \"train_size\": 5}, "
                                      "{\"key\": \"synthetic_arithmetic\", \"n\": 30, \"size\": 2, \"train_size\": 7}, "
                                      "{\"key\": \"synthetic_last_letters\", \"n\": 30, \"train_size\": 4}], "
                                      "\"teacher\": {\"kind\": \"scripted\", \"samples\": 2}, \"seeds\": 9}", -1, NULL));
  page = open_page (dir, &window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teacher.start", NULL));
  g_assert_cmpuint (ftc_teacher_page_get_job_task (page, &n_tasks), ==, 0);
  g_assert_cmpuint (n_tasks, ==, 3);
  ftc_test_studio_wait (job_idle, page, 30000);
  g_assert_null (ftc_teacher_page_get_job (page));
  g_assert_cmpuint (ftc_teacher_page_get_job_task (page, NULL), ==, 2);
  g_assert_nonnull (strstr (ftc_teacher_page_get_job_status (page), "Done"));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *name = g_strconcat (keys[i], ".train.jsonl", NULL);
      g_autofree char *path = g_build_filename (dir, "teacher", name, NULL);
      g_autoptr (GPtrArray) lines = ftc_test_studio_read_jsonl (path);
      g_autoptr (GFileInfo) info = NULL;
      g_autoptr (GFile) file = g_file_new_for_path (path);
      gint64 mtime;

      /* D = 2 rationales for each of the task's training questions, all of this task */
      g_assert_cmpuint (lines->len, ==, train_sizes[i] * 2);
      for (guint k = 0; k < lines->len; k++)
        g_assert_cmpstr (json_object_get_string_member (lines->pdata[k], "task"), ==, keys[i]);
      /* taught in the experiment's order */
      info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                G_FILE_QUERY_INFO_NONE, NULL, NULL);
      g_assert_nonnull (info);
      mtime = (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * 1000000 +
              g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
      g_assert_cmpint (mtime, >=, last_mtime);
      last_mtime = mtime;
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* teacher.budget_tokens of experiment.json stops a run started from the view, as it stops `ftcot run`. */
static void
test_token_budget (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *exp = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *records = g_build_filename (dir, "teacher", "synthetic_coin_flip.train.jsonl", NULL);
  g_autofree char *config = NULL;
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  GtkWidget *window;
  FtcTeacherPage *page;

  fake = ftc_fake_openai_new (&error);
  g_assert_no_error (error);
  /* 30 generated samples: 21 training questions, two requests each; the budget lasts a few of them */
  config = g_strdup_printf ("{\"version\": 1, \"tasks\": [{\"key\": \"synthetic_coin_flip\", \"n\": 30}], "
                            "\"teacher\": {\"kind\": \"openai\", \"endpoint\": \"%s/v1\", \"model\": \"fake-model\", "
                            "\"in_flight\": 1, \"budget_tokens\": 600}, \"methods\": [\"ft_cot\"], \"seeds\": 3}",
                            ftc_fake_openai_url (fake));
  g_assert_true (g_file_set_contents (exp, config, -1, NULL));
  page = open_page (dir, &window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teacher.start", NULL));
  ftc_test_studio_wait (job_idle, page, 30000);
  g_assert_null (ftc_teacher_page_get_job (page));
  g_assert_nonnull (strstr (ftc_teacher_page_get_job_status (page), "budget of 600 tokens reached"));
  /* some questions were taught, not all of them, and the server was asked no further */
  lines = ftc_test_studio_read_jsonl (records);
  g_assert_cmpuint (lines->len, >, 0);
  g_assert_cmpuint (lines->len, <, 21);
  g_assert_cmpuint (ftc_fake_openai_requests (fake), <, 2 * 21);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/teacher/prompt-functions", test_prompt_functions);
  g_test_add_func ("/studio/teacher/preview-and-usage", test_preview_and_usage);
  g_test_add_func ("/studio/teacher/live-records-and-save", test_live_records_and_save);
  g_test_add_func ("/studio/teacher/teach-job", test_teach_job);
  g_test_add_func ("/studio/teacher/teach-every-task", test_teach_every_task);
  g_test_add_func ("/studio/teacher/cost-meter", test_cost_meter);
  g_test_add_func ("/studio/teacher/job-error", test_job_error);
  g_test_add_func ("/studio/teacher/token-budget", test_token_budget);
  return g_test_run ();
}
