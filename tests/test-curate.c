/* test-curate.c: the curation rules, review decisions, the fine-tuning formats and their files. */
#include <glib/gstdio.h>
#include <string.h>

#include "core/method/ftc-curate.h"
#include "core/ftc-error.h"
#include "tests/ftc-test-util.h"

/* A teacher record of question q (sample "t-q"), completion index ci. */
static FtcRecord *
make_record (int q, int ci, gboolean correct, const char *finish)
{
  FtcRecord *r = ftc_record_new ();

  r->task = g_strdup ("t");
  r->sample_id = g_strdup_printf ("t-%d", q);
  r->sample_index = q;
  r->completion_index = ci;
  r->question = g_strdup_printf ("  Question %d?  ", q);
  r->gold = g_strdup_printf ("%d", q + 10);
  r->rationale = g_strdup_printf (" rationale %d.%d ", q, ci);
  r->correct = correct;
  r->has_correct = TRUE;
  r->finish_reason = g_strdup (finish);
  return r;
}

/* 3 questions x 3 completions: q0 all correct; q1: ci 0 wrong, ci 1 correct but truncated, ci 2 correct;
 * q2: all wrong. */
static GPtrArray *
make_records (void)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_record_free);

  for (int ci = 0; ci < 3; ci++)
    g_ptr_array_add (records, make_record (0, ci, TRUE, "stop"));
  g_ptr_array_add (records, make_record (1, 0, FALSE, "stop"));
  g_ptr_array_add (records, make_record (1, 1, TRUE, "length"));
  g_ptr_array_add (records, make_record (1, 2, TRUE, "stop"));
  for (int ci = 0; ci < 3; ci++)
    g_ptr_array_add (records, make_record (2, ci, FALSE, "stop"));
  return records;
}

static gboolean
kept_has (GPtrArray *kept, int q, int ci)
{
  g_autofree char *id = g_strdup_printf ("t-%d", q);

  for (guint i = 0; i < kept->len; i++)
    {
      FtcRecord *r = g_ptr_array_index (kept, i);
      if (g_strcmp0 (r->sample_id, id) == 0 && r->completion_index == ci)
        return TRUE;
    }
  return FALSE;
}

static void
test_rules (void)
{
  g_autoptr (GPtrArray) records = make_records ();
  FtcExperimentCuration cur = { FTC_CURATION_CORRECT, FALSE, 0 };
  FtcCurateStats st;
  g_autoptr (GPtrArray) kept = NULL;

  kept = ftc_curate (records, &cur, NULL, &st);
  g_assert_cmpuint (kept->len, ==, 5);
  g_assert_cmpuint (st.total, ==, 9);
  g_assert_cmpuint (st.correct, ==, 5);
  g_assert_cmpuint (st.truncated, ==, 1);
  g_assert_cmpuint (st.kept, ==, 5);
  g_assert_true (kept_has (kept, 1, 1));
  g_assert_false (kept_has (kept, 1, 0));
  g_clear_pointer (&kept, g_ptr_array_unref);

  cur.drop_truncated = TRUE;
  kept = ftc_curate (records, &cur, NULL, &st);
  g_assert_cmpuint (kept->len, ==, 4);
  g_assert_false (kept_has (kept, 1, 1));
  g_assert_true (kept_has (kept, 1, 2));
  g_clear_pointer (&kept, g_ptr_array_unref);

  /* a teacher record: the rationale (step 1) was cut, the answer (step 2) was not */
  {
    g_autoptr (GPtrArray) teacher = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_record_free);
    FtcRecord *r = make_record (3, 0, TRUE, "stop");
    g_autofree char *line = NULL;
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (FtcRecord) back = NULL;
    g_autoptr (GError) error = NULL;

    r->reasoning_finish_reason = g_strdup ("length");
    r->answer_text = g_strdup (" 13.");
    g_ptr_array_add (teacher, r);
    kept = ftc_curate (teacher, &cur, NULL, &st);
    g_assert_cmpuint (st.truncated, ==, 1);
    g_assert_cmpuint (kept->len, ==, 0);
    g_clear_pointer (&kept, g_ptr_array_unref);
    /* and the field survives a write and a read */
    line = ftc_record_to_json_line (r);
    g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
    back = ftc_record_from_json (json_node_get_object (json_parser_get_root (parser)), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (back->reasoning_finish_reason, ==, "length");
  }

  cur.rule = FTC_CURATION_ALL;
  cur.drop_truncated = FALSE;
  kept = ftc_curate (records, &cur, NULL, &st);
  g_assert_cmpuint (kept->len, ==, 9);
  g_clear_pointer (&kept, g_ptr_array_unref);

  cur.max_per_question = 2;
  kept = ftc_curate (records, &cur, NULL, &st);
  g_assert_cmpuint (kept->len, ==, 6);
  g_assert_true (kept_has (kept, 0, 0) && kept_has (kept, 0, 1) && !kept_has (kept, 0, 2));
  g_assert_cmpuint (st.kept, ==, 6);
  g_clear_pointer (&kept, g_ptr_array_unref);

  /* correct, at most 1 per question: the first correct one of each */
  cur.rule = FTC_CURATION_CORRECT;
  cur.max_per_question = 1;
  kept = ftc_curate (records, &cur, NULL, &st);
  g_assert_cmpuint (kept->len, ==, 2);
  g_assert_true (kept_has (kept, 0, 0) && kept_has (kept, 1, 1));
  g_clear_pointer (&kept, g_ptr_array_unref);

  /* accepted without a review: nothing */
  cur.rule = FTC_CURATION_ACCEPTED;
  cur.max_per_question = 0;
  kept = ftc_curate (records, &cur, NULL, &st);
  g_assert_cmpuint (kept->len, ==, 0);
}

static const char review_text[] =
  "{\"task\":\"t\",\"sample_id\":\"t-1\",\"completion_index\":0,\"state\":\"rejected\"}\n"
  "{\"task\":\"t\",\"sample_id\":\"t-1\",\"completion_index\":0,\"state\":\"accepted\"}\n"   /* last wins */
  "\n"
  "{\"task\":\"t\",\"sample_id\":\"t-0\",\"completion_index\":1,\"state\":\"rejected\"}\n"
  "{\"task\":\"t\",\"sample_id\":\"t-2\",\"completion_index\":2,\"state\":\"accepted\",\"rationale\":\"edited\"}\n"
  "{\"task\":\"t\",\"sample_id\":\"t-0\",\"completion_index\":2,\"state\":\"accepted\",\"rationale\":\"better\"}\n"
  "{\"task\":\"other\",\"sample_id\":\"t-2\",\"completion_index\":0,\"state\":\"accepted\"}\n"
  "{\"task\":\"t\",\"sample_id\":\"t-2\",\"completion_index\":1,\"sta";   /* torn */

static void
test_review (void)
{
  g_autofree char *path = ftc_test_write_tmp ("review.jsonl", review_text, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcReview) review = ftc_review_load (path, &error);
  g_autoptr (GPtrArray) records = make_records ();
  g_autoptr (GPtrArray) kept = NULL;
  FtcExperimentCuration cur = { FTC_CURATION_CORRECT, FALSE, 0 };
  FtcCurateStats st;
  const FtcReviewDecision *d;

  g_assert_no_error (error);
  g_assert_nonnull (review);
  g_assert_cmpuint (ftc_review_count (review), ==, 5);
  d = ftc_review_lookup (review, "t", "t-1", 0);
  g_assert_nonnull (d);
  g_assert_cmpint (d->state, ==, FTC_REVIEW_ACCEPTED);
  g_assert_null (ftc_review_lookup (review, "t", "t-2", 1));
  g_assert_null (ftc_review_lookup (review, "t", "t-2", 0));

  kept = ftc_curate (records, &cur, review, &st);
  /* 5 correct - 1 rejected + 1 accepted wrong + 1 edited wrong */
  g_assert_cmpuint (kept->len, ==, 6);
  g_assert_true (kept_has (kept, 1, 0));     /* accept overrides a wrong answer */
  g_assert_false (kept_has (kept, 0, 1));    /* reject drops a right one */
  g_assert_true (kept_has (kept, 2, 2));
  g_assert_false (kept_has (kept, 2, 0));    /* another task's decision does not apply */
  g_assert_cmpuint (st.rejected, ==, 1);
  g_assert_cmpuint (st.edited, ==, 2);
  for (guint i = 0; i < kept->len; i++)
    {
      FtcRecord *r = g_ptr_array_index (kept, i);
      if (g_str_equal (r->sample_id, "t-2"))
        g_assert_cmpstr (r->rationale, ==, "edited");
      else if (g_str_equal (r->sample_id, "t-0") && r->completion_index == 2)
        g_assert_cmpstr (r->rationale, ==, "better");
      else
        g_assert_true (g_str_has_prefix (r->rationale, " rationale"));
    }
  g_clear_pointer (&kept, g_ptr_array_unref);
  g_clear_pointer (&records, g_ptr_array_unref);

  /* accepted: only what a person accepted or edited */
  records = make_records ();
  cur.rule = FTC_CURATION_ACCEPTED;
  kept = ftc_curate (records, &cur, review, &st);
  g_assert_cmpuint (kept->len, ==, 3);
  g_assert_true (kept_has (kept, 1, 0) && kept_has (kept, 2, 2) && kept_has (kept, 0, 2));
}

static void
test_review_errors (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "none.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcReview) empty = ftc_review_load (missing, &error);
  static const struct { const char *text; const char *where; } bad[] = {
    { "{\"task\":\"t\",\"sample_id\":\"a\",\"completion_index\":0,\"state\":\"accepted\"}\n{oops\n"
      "{\"task\":\"t\",\"sample_id\":\"a\",\"completion_index\":1,\"state\":\"accepted\"}\n", ":2:" },
    /* a malformed last line that ends with a newline was written whole: an error */
    { "{\"task\":\"t\",\"sample_id\":\"a\",\"completion_index\":0,\"state\":\"accepted\"}\n[1]\n", ":2:" },
    { "{\"task\":\"t\",\"completion_index\":0,\"state\":\"accepted\"}\n", ":1:" },
    { "{\"task\":\"t\",\"sample_id\":\"a\",\"completion_index\":0,\"state\":\"maybe\"}\n", ":1:" },
    { "{\"task\":\"t\",\"sample_id\":7,\"completion_index\":0,\"state\":\"accepted\"}\n", ":1:" },
    { "{\"task\":\"t\",\"sample_id\":\"a\",\"completion_index\":\"x\",\"state\":\"accepted\"}\n", ":1:" },
    { "{\"task\":\"t\",\"sample_id\":\"a\",\"completion_index\":0,\"state\":\"accepted\",\"rationale\":[1]}\n",
      ":1:" },
  };

  g_assert_no_error (error);
  g_assert_cmpuint (ftc_review_count (empty), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = ftc_test_write_tmp ("review.jsonl", bad[i].text, -1);
      g_autofree char *want = g_strconcat (path, bad[i].where, NULL);
      g_autoptr (FtcReview) review = NULL;

      g_clear_error (&error);
      review = ftc_review_load (path, &error);
      if (review != NULL)
        g_error ("case %u accepted", i);
      g_assert_nonnull (error);
      g_assert_true (error->domain == FTC_ERROR);
      if (!g_str_has_prefix (error->message, want))
        g_error ("case %u: %s does not start with %s", i, error->message, want);
    }
}

static void
free_sample (FtcSample *s)
{
  g_free (s->id);
  g_free (s->question);
  g_free (s->answer);
  g_free (s);
}

static void
test_finetune_samples (void)
{
  g_autoptr (GPtrArray) records = make_records ();
  g_autoptr (GPtrArray) train = g_ptr_array_new_with_free_func ((GDestroyNotify) free_sample);
  FtcExperimentCuration cur = { FTC_CURATION_CORRECT, FALSE, 0 };
  FtcCurateStats st;
  g_autoptr (GPtrArray) kept = ftc_curate (records, &cur, NULL, &st);
  FtcMethod vanilla, d1, d2;
  g_autoptr (GPtrArray) v = NULL;
  g_autoptr (GPtrArray) c1 = NULL;
  g_autoptr (GPtrArray) c2 = NULL;

  for (int q = 0; q < 3; q++)
    {
      FtcSample *s = g_new0 (FtcSample, 1);
      s->id = g_strdup_printf ("t-%d", q);
      s->index = q;
      s->question = g_strdup_printf ("Question %d? ", q);
      s->answer = g_strdup_printf ("%d", q + 10);
      g_ptr_array_add (train, s);
    }
  g_assert_true (ftc_method_parse ("vanilla", &vanilla));
  g_assert_true (ftc_method_parse ("ft_cot", &d1));
  g_assert_true (ftc_method_parse ("ft_cot_d2", &d2));

  v = ftc_curate_finetune_samples (&vanilla, train, kept);
  g_assert_cmpuint (v->len, ==, 3);
  for (int q = 0; q < 3; q++)
    {
      FtcFinetuneSample *s = g_ptr_array_index (v, q);
      g_autofree char *prompt = g_strdup_printf ("Question %d? ###", q);
      g_autofree char *completion = g_strdup_printf (" %d END", q + 10);
      g_assert_cmpstr (s->prompt, ==, prompt);
      g_assert_cmpstr (s->completion, ==, completion);
      g_assert_cmpint (s->completion_index, ==, 0);
    }

  /* D = 1: completion index 0 only: q0 (q1's index 0 was wrong) */
  c1 = ftc_curate_finetune_samples (&d1, train, kept);
  g_assert_cmpuint (c1->len, ==, 1);
  {
    FtcFinetuneSample *s = g_ptr_array_index (c1, 0);
    g_assert_cmpstr (s->sample_id, ==, "t-0");
    g_assert_cmpstr (s->prompt, ==, "Question 0? ###");
    g_assert_cmpstr (s->completion, ==, " rationale 0.0 --> 10 END");
  }
  /* D = 2: indices 0 and 1 */
  c2 = ftc_curate_finetune_samples (&d2, train, kept);
  g_assert_cmpuint (c2->len, ==, 3);
  for (guint i = 0; i < c2->len; i++)
    g_assert_cmpint (((FtcFinetuneSample *) c2->pdata[i])->completion_index, <, 2);
  g_assert_cmpstr (((FtcFinetuneSample *) c2->pdata[2])->completion, ==, " rationale 1.1 --> 11 END");

  {
    g_autofree char *stripped = ftc_finetune_strip_stop (" rationale --> 10 END and more");
    g_assert_cmpstr (stripped, ==, " rationale --> 10");
  }
}

static void
test_finetune_files (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sub", "t.ft_cot.jsonl", NULL);
  g_autoptr (GPtrArray) samples = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_finetune_sample_free);
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GError) error = NULL;
  static const struct { const char *text; const char *where; } bad[] = {
    { "{\"prompt\":\"a ###\",\"completion\":\" b END\"}\nnot json\n", ":2:" },
    { "{\"prompt\":\"a ###\"}\n", ":1:" },
    { "{\"prompt\":3,\"completion\":\" b END\"}\n", ":1:" },
    { "[]\n", ":1:" },
  };

  g_ptr_array_add (samples, ftc_finetune_sample_new (FTC_FINETUNE_COT, "t-1", 2, "Q \"quoted\"\n\u00e9?",
                                                     "step one.\nstep two.", "42"));
  g_ptr_array_add (samples, ftc_finetune_sample_new (FTC_FINETUNE_VANILLA, "t-2", 0, "Q2", NULL, "yes"));
  g_assert_true (ftc_finetune_save (samples, path, &error));
  g_assert_no_error (error);
  back = ftc_finetune_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      FtcFinetuneSample *a = samples->pdata[i], *b = back->pdata[i];
      g_assert_cmpstr (a->sample_id, ==, b->sample_id);
      g_assert_cmpint (a->completion_index, ==, b->completion_index);
      g_assert_cmpstr (a->prompt, ==, b->prompt);
      g_assert_cmpstr (a->completion, ==, b->completion);
    }
  g_assert_cmpstr (((FtcFinetuneSample *) back->pdata[0])->completion, ==, " step one.\nstep two. --> 42 END");

  g_clear_pointer (&back, g_ptr_array_unref);
  {
    g_autofree char *missing = g_build_filename (dir, "missing.jsonl", NULL);
    back = ftc_finetune_load (missing, &error);
    g_assert_null (back);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "missing.jsonl"));
    g_clear_error (&error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *p = ftc_test_write_tmp ("bad.jsonl", bad[i].text, -1);
      g_autofree char *want = g_strconcat (p, bad[i].where, NULL);
      g_autoptr (GPtrArray) got = ftc_finetune_load (p, &error);

      g_assert_null (got);
      g_assert_nonnull (error);
      if (!g_str_has_prefix (error->message, want))
        g_error ("case %u: %s does not start with %s", i, error->message, want);
      g_clear_error (&error);
    }
}

/* The chat prompt formats of pretrained students: prompt, completion, stop, and the stop stripped */
static void
test_prompt_formats (void)
{
  g_autoptr (FtcFinetuneSample) c = ftc_finetune_sample_new_as (FTC_PROMPT_CHATML, FTC_FINETUNE_COT, "s", 1,
                                                                "  Is it heads? ", " It was flipped. ", " no ");
  g_autoptr (FtcFinetuneSample) l = ftc_finetune_sample_new_as (FTC_PROMPT_LLAMA3, FTC_FINETUNE_VANILLA, "s", 0,
                                                                "Q", NULL, "yes");
  g_autoptr (FtcFinetuneSample) p = ftc_finetune_sample_new_as (FTC_PROMPT_PAPER, FTC_FINETUNE_COT, "s", 0, "Q",
                                                                "R", "A");
  g_autofree char *cut1 = ftc_finetune_strip_stop ("It was flipped. --> no<|im_end|> junk");
  g_autofree char *cut2 = ftc_finetune_strip_stop ("yes<|eot_id|>");
  FtcPromptFormat f;

  g_assert_cmpstr (c->prompt, ==, "<|im_start|>user\nIs it heads?<|im_end|>\n<|im_start|>assistant\n");
  g_assert_cmpstr (c->completion, ==, "It was flipped. --> no<|im_end|>");
  g_assert_cmpstr (l->prompt, ==, "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|>"
                                  "<|start_header_id|>assistant<|end_header_id|>\n\n");
  g_assert_cmpstr (l->completion, ==, "yes<|eot_id|>");
  g_assert_cmpstr (p->prompt, ==, "Q ###");
  g_assert_cmpstr (p->completion, ==, " R --> A END");
  g_assert_cmpstr (cut1, ==, "It was flipped. --> no");
  g_assert_cmpstr (cut2, ==, "yes");
  g_assert_true (ftc_prompt_format_parse ("llama3", &f) && f == FTC_PROMPT_LLAMA3);
  g_assert_false (ftc_prompt_format_parse ("alpaca", &f));
  g_assert_cmpstr (ftc_prompt_format_stop (FTC_PROMPT_CHATML), ==, "<|im_end|>");
}

/* Reasoning-model records (trace as rationale, written answer as completion): the target decides what is
 * learnt; the length filter drops what is too short or too long; an edited rationale stays as edited. */
static void
test_reasoning_targets (void)
{
  static const char *trace = "First I set up the equation.\n\nThen I solve it: x = 3.\n\nWait, check: 3 + 4 = 7. Yes.";
  static const char *answer = "The equation gives x = 3.\n\nThe final answer is $\\boxed{3}$.";
  struct {
    FtcCurationTarget target;
    int max_trace_chars;
    const char *expected;
  } cases[] = {
    { FTC_TARGET_TRACE_ANSWER, 0, NULL },
    { FTC_TARGET_ANSWER, 0, NULL },
    /* 40 characters reach into the second paragraph: back to the first paragraph's end */
    { FTC_TARGET_TRIMMED, 40, "First I set up the equation.\n\nThe equation gives x = 3.\n\nThe final answer is $\\boxed{3}$." },
    /* the whole trace fits */
    { FTC_TARGET_TRIMMED, 1000, NULL },
  };
  g_autofree char *full = g_strconcat (trace, "\n\n", answer, NULL);

  cases[0].expected = full;
  cases[1].expected = answer;
  cases[3].expected = full;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_record_free);
      FtcExperimentCuration curation = { FTC_CURATION_CORRECT, TRUE, 0, cases[i].target, cases[i].max_trace_chars, 0, 0 };
      FtcRecord *r = make_record (0, 0, TRUE, "stop");
      g_autoptr (GPtrArray) kept = NULL;
      FtcCurateStats stats;

      g_free (r->rationale);
      r->rationale = g_strdup (trace);
      r->completion = g_strdup (answer);
      r->reasoning_finish_reason = g_strdup ("stop");
      g_ptr_array_add (records, r);
      kept = ftc_curate (records, &curation, NULL, &stats);
      g_assert_cmpuint (kept->len, ==, 1);
      g_assert_cmpstr (((FtcRecord *) kept->pdata[0])->rationale, ==, cases[i].expected);
    }

  /* the length filter, on what is learnt: the answer alone is 59 characters, trace and answer 144 */
  for (int round = 0; round < 3; round++)
    {
      g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_record_free);
      FtcExperimentCuration curation = { FTC_CURATION_CORRECT, TRUE, 0, round == 0 ? FTC_TARGET_ANSWER : FTC_TARGET_TRACE_ANSWER,
                                         0, round == 2 ? 100 : 0, round == 2 ? 0 : 100 };
      g_autoptr (GPtrArray) kept = NULL;
      FtcCurateStats stats;

      for (int q = 0; q < 2; q++)
        {
          FtcRecord *r = make_record (q, 0, TRUE, "stop");
          g_free (r->rationale);
          r->rationale = g_strdup (trace);
          r->completion = g_strdup (answer);
          g_ptr_array_add (records, r);
        }
      kept = ftc_curate (records, &curation, NULL, &stats);
      /* answer (59) under max 100: kept; trace + answer (144) over max 100: dropped; over min 100: kept */
      g_assert_cmpuint (kept->len, ==, round == 1 ? 0 : 2);
      g_assert_cmpuint (stats.length, ==, round == 1 ? 2 : 0);
    }
  g_assert_cmpuint (g_utf8_strlen (answer, -1), ==, 59);
  g_assert_cmpuint (g_utf8_strlen (full, -1), ==, 144);

  /* Zero-shot-CoT records (answer text, no completion) are learnt as they are */
  {
    g_autoptr (GPtrArray) records = make_records ();
    FtcExperimentCuration curation = { FTC_CURATION_ALL, FALSE, 0, FTC_TARGET_ANSWER, 0, 0, 0 };
    FtcCurateStats stats;
    g_autoptr (GPtrArray) kept = ftc_curate (records, &curation, NULL, &stats);
    g_assert_cmpstr (((FtcRecord *) kept->pdata[0])->rationale, ==, " rationale 0.0 ");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/curate/rules", test_rules);
  g_test_add_func ("/curate/review", test_review);
  g_test_add_func ("/curate/review-errors", test_review_errors);
  g_test_add_func ("/curate/finetune-samples", test_finetune_samples);
  g_test_add_func ("/curate/finetune-files", test_finetune_files);
  g_test_add_func ("/curate/prompt-formats", test_prompt_formats);
  g_test_add_func ("/curate/reasoning-targets", test_reasoning_targets);
  return g_test_run ();
}
