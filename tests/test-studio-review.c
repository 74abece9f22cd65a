/* The review view on the small experiment: counts from the files, filters, search, accept/reject/edit
 * saved to review.jsonl and read back by a fresh view. */
#include <string.h>

#include <json-glib/json-glib.h>

#include "app/studio/ftc-rationale-item.h"
#include "app/studio/ftc-review-page.h"
#include "app/studio/ftc-review-store.h"
#include "app/studio/ftc-studio-util.h"
#include "core/ftc-error.h"
#include "core/method/ftc-review.h"
#include "tests/ftc-test-studio.h"
#include "tests/ftc-test-util.h"

/* Counts computed straight from the teacher files, independently of the view's code. */
typedef struct {
  guint total, correct, truncated;
} FileCounts;

static FileCounts
count_files (const char *dir)
{
  FileCounts c = { 0 };
  const char *tasks[] = { "coin_flip", "last_letter_concatenation" };

  for (guint t = 0; t < G_N_ELEMENTS (tasks); t++)
    {
      g_autofree char *name = g_strdup_printf ("%s.jsonl", tasks[t]);
      g_autofree char *path = g_build_filename (dir, "teacher", name, NULL);
      g_autoptr (GPtrArray) recs = ftc_test_studio_read_jsonl (path);
      for (guint i = 0; i < recs->len; i++)
        {
          c.total++;
          c.correct += json_object_get_boolean_member (recs->pdata[i], "correct");
          c.truncated += g_strcmp0 (json_object_get_string_member (recs->pdata[i], "finish_reason"), "length") == 0;
        }
    }
  return c;
}

static FtcReviewPage *
open_page (const char *dir, GtkWidget **window)
{
  GtkWidget *page = ftc_review_page_new ();

  *window = ftc_test_studio_show (page, 1100, 700);
  ftc_review_page_set_directory (FTC_REVIEW_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_null (ftc_review_page_get_error (FTC_REVIEW_PAGE (page)));
  return FTC_REVIEW_PAGE (page);
}

static JsonObject *
last_review_line (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "review.jsonl", NULL);
  g_autoptr (GPtrArray) lines = ftc_test_studio_read_jsonl (path);

  g_assert_cmpuint (lines->len, >, 0);
  return json_object_ref (lines->pdata[lines->len - 1]);
}

static void
test_counts_and_filters (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  FileCounts fc = count_files (dir);
  g_autofree char *cache = g_build_filename (dir, "teacher", "coin_flip.train.requests.jsonl", NULL);
  GtkWidget *window;
  FtcReviewPage *page;

  /* the teach job's request cache sits beside the records and is not one */
  g_assert_true (g_file_set_contents (cache, "{\"key\": \"ab12\", \"response\": {}}\n", -1, NULL));
  page = open_page (dir, &window);
  FtcReviewCounts c;
  GListModel *model = ftc_review_page_get_model (page);

  ftc_review_page_get_counts (page, &c);
  g_assert_cmpuint (c.total, ==, fc.total);
  g_assert_cmpuint (c.correct, ==, fc.correct);
  g_assert_cmpuint (c.truncated, ==, fc.truncated);
  /* review.jsonl of the test experiment: two accepted (one of them edited), one rejected */
  g_assert_cmpuint (c.accepted, ==, 2);
  g_assert_cmpuint (c.rejected, ==, 1);
  g_assert_cmpuint (c.edited, ==, 1);
  g_assert_cmpuint (c.pending, ==, fc.total - 3);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, fc.total);

  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_INCORRECT);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, fc.total - fc.correct);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FtcRationaleItem) item = g_list_model_get_item (model, i);
      g_assert_false (ftc_rationale_item_get_correct (item));
    }
  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_CORRECT);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, fc.correct);
  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_TRUNCATED);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, fc.truncated);
  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_EDITED);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  {
    g_autoptr (FtcRationaleItem) item = g_list_model_get_item (model, 0);
    g_assert_cmpstr (ftc_rationale_item_get_sample_id (item), ==, "last_letter_concatenation-2");
    g_assert_true (g_str_has_prefix (ftc_rationale_item_get_effective_rationale (item), " The last letters are joined"));
  }

  /* sample filter: both completions of sample 3 of each task */
  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_ALL);
  ftc_review_page_set_sample (page, 3);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  ftc_review_page_set_sample (page, -1);

  /* search is case-insensitive over question and rationale */
  ftc_review_page_set_search (page, "OMAR");
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FtcRationaleItem) item = g_list_model_get_item (model, i);
      g_assert_true (strstr (ftc_rationale_item_get_question (item), "Omar") != NULL ||
                     strstr (ftc_rationale_item_get_effective_rationale (item), "Omar") != NULL);
    }
  ftc_review_page_set_search (page, NULL);

  /* a click on a column header sorts by it */
  {
    GtkColumnView *view = GTK_COLUMN_VIEW (ftc_test_studio_find (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
    GListModel *columns = gtk_column_view_get_columns (view);
    GtkColumnViewColumn *gold = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
      {
        g_autoptr (GtkColumnViewColumn) col = g_list_model_get_item (columns, i);
        if (g_strcmp0 (gtk_column_view_column_get_title (col), "Gold") == 0)
          gold = col;
      }
    g_assert_nonnull (gold);
    gtk_column_view_sort_by_column (view, gold, GTK_SORT_DESCENDING);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, fc.total);
    for (guint i = 1; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr (FtcRationaleItem) a = g_list_model_get_item (model, i - 1);
        g_autoptr (FtcRationaleItem) b = g_list_model_get_item (model, i);
        g_assert_cmpint (g_utf8_collate (ftc_rationale_item_get_gold (a), ftc_rationale_item_get_gold (b)), >=, 0);
      }
    gtk_column_view_sort_by_column (view, NULL, GTK_SORT_ASCENDING);
  }

  ftc_review_page_set_search (page, "no such text anywhere");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  ftc_review_page_get_counts (page, &c);
  g_assert_cmpuint (c.shown, ==, 0);
  g_assert_nonnull (strstr (ftc_review_page_get_counts_text (page), "0 of"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_accept_reject_edit_saved (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  GtkWidget *window;
  FtcReviewPage *page = open_page (dir, &window);
  GListModel *model = ftc_review_page_get_model (page);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) line = NULL;
  g_autofree char *accepted_id = NULL, *rejected_id = NULL, *edited_id = NULL;
  int accepted_c, rejected_c;
  FtcReviewCounts before, after;
  guint pending_before;

  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_PENDING);
  pending_before = g_list_model_get_n_items (model);
  ftc_review_page_get_counts (page, &before);

  /* accept the first pending rationale: it leaves the pending filter and the next one is selected */
  ftc_review_page_select (page, 0);
  {
    g_autoptr (FtcRationaleItem) item = g_list_model_get_item (model, 0);
    accepted_id = g_strdup (ftc_rationale_item_get_sample_id (item));
    accepted_c = ftc_rationale_item_get_completion_index (item);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "review.accept", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, pending_before - 1);
  g_assert_cmpuint (ftc_review_page_get_selected (page), ==, 0);
  ftc_review_page_get_counts (page, &after);
  g_assert_cmpuint (after.accepted, ==, before.accepted + 1);
  g_assert_cmpuint (after.pending, ==, before.pending - 1);
  g_assert_true (ftc_review_page_flush (page, &error));
  g_assert_no_error (error);
  line = last_review_line (dir);
  g_assert_cmpstr (json_object_get_string_member (line, "sample_id"), ==, accepted_id);
  g_assert_cmpint (json_object_get_int_member (line, "completion_index"), ==, accepted_c);
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "accepted");
  g_assert_false (json_object_has_member (line, "rationale"));
  g_clear_pointer (&line, json_object_unref);

  /* reject the one now selected */
  {
    g_autoptr (FtcRationaleItem) item = g_list_model_get_item (model, ftc_review_page_get_selected (page));
    rejected_id = g_strdup (ftc_rationale_item_get_sample_id (item));
    rejected_c = ftc_rationale_item_get_completion_index (item);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "review.reject", NULL));
  g_assert_true (ftc_review_page_flush (page, &error));
  line = last_review_line (dir);
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (line, "sample_id"), ==, rejected_id);
  g_clear_pointer (&line, json_object_unref);

  /* edit the selected one through the text view, save with the action Ctrl+Return triggers */
  {
    GtkTextView *view = GTK_TEXT_VIEW (ftc_test_studio_find (GTK_WIDGET (page), GTK_TYPE_TEXT_VIEW));
    g_autoptr (FtcRationaleItem) item = g_list_model_get_item (model, ftc_review_page_get_selected (page));
    edited_id = g_strdup (ftc_rationale_item_get_sample_id (item));
    g_assert_nonnull (view);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "review.edit", NULL));
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), "A corrected rationale, step by step.", -1);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "review.save-edit", NULL));
  }
  g_assert_true (ftc_review_page_flush (page, &error));
  line = last_review_line (dir);
  g_assert_cmpstr (json_object_get_string_member (line, "sample_id"), ==, edited_id);
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "accepted");
  g_assert_cmpstr (json_object_get_string_member (line, "rationale"), ==, "A corrected rationale, step by step.");
  gtk_window_destroy (GTK_WINDOW (window));

  /* a crash mid-write leaves half a line: the next load ignores it and keeps every decision before */
  {
    g_autofree char *path = g_build_filename (dir, "review.jsonl", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *cut = NULL;
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    cut = g_strconcat (contents, "{\"task\": \"coin_flip\", \"sample_id\": \"coin_fl", NULL);
    g_assert_true (g_file_set_contents (path, cut, -1, NULL));
  }

  /* a fresh view reads the decisions back */
  page = open_page (dir, &window);
  model = ftc_review_page_get_model (page);
  ftc_review_page_get_counts (page, &after);
  g_assert_cmpuint (after.accepted, ==, before.accepted + 2);
  g_assert_cmpuint (after.rejected, ==, before.rejected + 1);
  g_assert_cmpuint (after.edited, ==, before.edited + 1);
  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_REJECTED);
  {
    gboolean found = FALSE;
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr (FtcRationaleItem) item = g_list_model_get_item (model, i);
        found |= g_strcmp0 (ftc_rationale_item_get_sample_id (item), rejected_id) == 0 &&
                 ftc_rationale_item_get_completion_index (item) == rejected_c;
      }
    g_assert_true (found);
  }
  /* revert: back to pending, the edit gone */
  ftc_review_page_set_filter (page, FTC_REVIEW_FILTER_EDITED);
  {
    guint n = g_list_model_get_n_items (model);
    ftc_review_page_select (page, 0);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "review.revert", NULL));
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, n - 1);
  }
  g_assert_true (ftc_review_page_flush (page, &error));
  line = last_review_line (dir);
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "pending");
  g_assert_false (json_object_has_member (line, "rationale"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bad_teacher_file (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *path = g_build_filename (dir, "teacher", "coin_flip.jsonl", NULL);
  GtkWidget *page = ftc_review_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 800, 600);
  g_autofree char *contents = NULL;
  g_autofree char *broken = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  broken = g_strconcat (contents, "{\"question\": \"unterminated\n", NULL);
  g_assert_true (g_file_set_contents (path, broken, -1, NULL));
  ftc_review_page_set_directory (FTC_REVIEW_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  /* the error names the file and the line (the 17th: 16 good records come first) */
  g_assert_nonnull (ftc_review_page_get_error (FTC_REVIEW_PAGE (page)));
  g_assert_nonnull (strstr (ftc_review_page_get_error (FTC_REVIEW_PAGE (page)), "coin_flip.jsonl:17"));

  /* a record without its gold answer: the record reader names the field */
  g_free (broken);
  broken = g_strconcat (contents, "{\"question\": \"q\", \"rationale\": \" r\", \"answer_text\": \" x\"}\n", NULL);
  g_assert_true (g_file_set_contents (path, broken, -1, NULL));
  ftc_review_page_set_directory (FTC_REVIEW_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_nonnull (strstr (ftc_review_page_get_error (FTC_REVIEW_PAGE (page)), "coin_flip.jsonl:17"));
  g_assert_nonnull (strstr (ftc_review_page_get_error (FTC_REVIEW_PAGE (page)), "gold"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_store_line_roundtrip (void)
{
  g_autoptr (FtcRationaleItem) item = ftc_rationale_item_new ("gsm8k", "gsm8k-41", 41, 3);
  g_autofree char *line = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  ftc_rationale_item_set_record (item, "Q?", "orig", "7", "7", TRUE, "stop");
  ftc_rationale_item_set_state (item, FTC_REVIEW_REJECTED);
  ftc_rationale_item_set_edited_rationale (item, "new \"quoted\"\ntext");
  g_assert_false (ftc_rationale_item_get_kept (item));
  line = ftc_review_store_line (item, "2026-01-01T00:00:00Z");
  g_assert_null (strchr (line, '\n'));
  g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "task"), ==, "gsm8k");
  g_assert_cmpint (json_object_get_int_member (o, "completion_index"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (o, "rationale"), ==, "new \"quoted\"\ntext");
  /* an edit back to the teacher's text is no edit */
  ftc_rationale_item_set_edited_rationale (item, "orig");
  g_assert_false (ftc_rationale_item_get_edited (item));
  ftc_rationale_item_set_state (item, FTC_REVIEW_PENDING);
  g_assert_true (ftc_rationale_item_get_kept (item));
}

static void
write_record (GString *out, const char *task, int index, int completion, const char *rationale)
{
  g_string_append_printf (out, "{\"task\": \"%s\", \"sample_id\": \"%s-%d\", \"sample_index\": %d, "
                          "\"completion_index\": %d, \"question\": \"Q%d?\", \"gold\": \"yes\", "
                          "\"rationale\": \"%s\", \"answer_text\": \" yes\", \"prediction\": \"yes\", \"correct\": true, "
                          "\"finish_reason\": \"stop\"}\n", task, task, index, index, completion, index, rationale);
}

/* The teach job's files (teacher/TASK.SPLIT.jsonl with its manifest and summary beside it) and review.jsonl
 * read as curation reads them: only the train split's rationales, each with core's decision for it. */
static void
test_store_reads_like_curation (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *teacher = g_build_filename (dir, "teacher", NULL);
  g_autofree char *train = g_build_filename (teacher, "synthetic_coin_flip.train.jsonl", NULL);
  g_autofree char *test = g_build_filename (teacher, "synthetic_coin_flip.test.jsonl", NULL);
  g_autofree char *manifest = g_build_filename (teacher, "synthetic_coin_flip.train.json", NULL);
  g_autofree char *summary = g_build_filename (teacher, "synthetic_coin_flip.train.summary.json", NULL);
  g_autofree char *review_path = g_build_filename (dir, "review.jsonl", NULL);
  g_autoptr (GString) records = g_string_new (NULL);
  g_autoptr (GString) test_records = g_string_new (NULL);
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (FtcReview) review = NULL;
  g_autoptr (GError) error = NULL;
  GRand *rand = g_rand_new_with_seed (7);
  guint n_decided = 0;

  g_assert_cmpint (g_mkdir_with_parents (teacher, 0755), ==, 0);
  for (int i = 0; i < 9; i++)
    for (int c = 0; c < 2; c++)
      write_record (records, "synthetic_coin_flip", i, c, "flip then flip");
  for (int i = 100; i < 104; i++)
    write_record (test_records, "synthetic_coin_flip", i, 0, "a test-split rationale");
  g_assert_true (g_file_set_contents (train, records->str, -1, NULL));
  g_assert_true (g_file_set_contents (test, test_records->str, -1, NULL));
  /* not records: a reader that took them would fail on them */
  g_assert_true (g_file_set_contents (manifest, "{\"task\": \"synthetic_coin_flip\", \"split\": \"train\"}", -1, NULL));
  g_assert_true (g_file_set_contents (summary, "{\"done\": 18}", -1, NULL));
  {
    /* random decisions, some overridden by later lines, one edited, and a torn last line */
    g_autoptr (GString) lines = g_string_new (NULL);
    static const char *const states[] = { "accepted", "rejected", "pending" };
    for (int k = 0; k < 30; k++)
      {
        int i = g_rand_int_range (rand, 0, 9), c = g_rand_int_range (rand, 0, 2);
        g_string_append_printf (lines, "{\"task\": \"synthetic_coin_flip\", \"sample_id\": \"synthetic_coin_flip-%d\", "
                                "\"completion_index\": %d, \"state\": \"%s\"%s, \"time\": \"2026-11-28T10:00:00Z\"}\n",
                                i, c, states[g_rand_int_range (rand, 0, 3)],
                                k == 17 ? ", \"rationale\": \"an edited rationale\"" : "");
      }
    g_string_append (lines, "{\"task\": \"synthetic_coin_flip\", \"sample_id\": \"synth");
    g_assert_true (g_file_set_contents (review_path, lines->str, -1, NULL));
  }
  g_rand_free (rand);
  g_assert_true (ftc_review_store_is_review_file (train));
  g_assert_false (ftc_review_store_is_review_file (test));
  g_assert_false (ftc_review_store_is_review_file (manifest));
  g_assert_false (ftc_review_store_is_review_file (summary));
  g_assert_true (ftc_review_store_is_review_file ("teacher/coin_flip.jsonl"));

  items = ftc_review_store_load (dir, NULL, &error);
  g_assert_no_error (error);
  review = ftc_review_load (review_path, &error);
  g_assert_no_error (error);
  /* the train split only: 9 questions, D = 2 */
  g_assert_cmpuint (items->len, ==, 18);
  for (guint i = 0; i < items->len; i++)
    {
      FtcRationaleItem *item = items->pdata[i];
      const FtcReviewDecision *d = ftc_review_lookup (review, ftc_rationale_item_get_task (item),
                                                      ftc_rationale_item_get_sample_id (item),
                                                      ftc_rationale_item_get_completion_index (item));

      g_assert_cmpint (ftc_rationale_item_get_index (item), <, 100);
      g_assert_cmpint (ftc_rationale_item_get_state (item), ==, d != NULL ? d->state : FTC_REVIEW_PENDING);
      g_assert_cmpstr (ftc_rationale_item_get_edited_rationale (item), ==, d != NULL ? d->rationale : NULL);
      n_decided += d != NULL;
    }
  g_assert_cmpuint (n_decided, ==, ftc_review_count (review));
  g_assert_cmpuint (n_decided, >, 5);

  /* a malformed line that is not the last: the same error as curation's, naming the file and line */
  g_assert_true (g_file_set_contents (review_path, "{\"task\": \"synthetic_coin_flip\", \"sample_id\": \"x\", "
                                      "\"completion_index\": 0, \"state\": \"maybe\"}\n{}\n", -1, NULL));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = ftc_review_store_load (dir, NULL, &error);
  g_assert_null (items);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "review.jsonl:1"));
}

/* A reasoning model's record: its thinking and its written answer, joined as curation joins them. */
static void
test_reasoning_record (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *teacher = g_build_filename (dir, "teacher", NULL);
  g_autofree char *train = g_build_filename (teacher, "problems.train.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  FtcRationaleItem *item;

  g_assert_cmpint (g_mkdir_with_parents (teacher, 0755), ==, 0);
  g_assert_true (g_file_set_contents (train,
    "{\"task\": \"problems\", \"sample_id\": \"problems-0\", \"completion_index\": 0, \"question\": \"1+1?\", "
    "\"gold\": \"2\", \"rationale\": \"Okay, one plus one.\", \"completion\": \"So $\\\\boxed{2}$.\", "
    "\"prediction\": \"2\", \"correct\": true, \"finish_reason\": \"stop\"}\n", -1, NULL));
  items = ftc_review_store_load (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  g_assert_cmpstr (ftc_rationale_item_get_rationale (item), ==, "Okay, one plus one.\n\nSo $\\boxed{2}$.");
  g_assert_cmpstr (ftc_rationale_item_get_prediction (item), ==, "2");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/review/counts-and-filters", test_counts_and_filters);
  g_test_add_func ("/studio/review/accept-reject-edit-saved", test_accept_reject_edit_saved);
  g_test_add_func ("/studio/review/bad-teacher-file", test_bad_teacher_file);
  g_test_add_func ("/studio/review/store-line", test_store_line_roundtrip);
  g_test_add_func ("/studio/review/store-reads-like-curation", test_store_reads_like_curation);
  g_test_add_func ("/studio/review/reasoning-record", test_reasoning_record);
  return g_test_run ();
}
