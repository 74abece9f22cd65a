/* test-task-import: tasks from JSONL and CSV, every kind of bad input, and the JSONL round trip. */
#include "core/ftc-error.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/tasks/ftc-task-import.h"
#include "tests/ftc-test-util.h"

#include <string.h>

#define SAMPLE(task, i) ((FtcSample *) g_ptr_array_index ((task)->samples, (i)))

static FtcTask *
import_ok (const char *name, const char *contents)
{
  g_autofree char *path = ftc_test_write_tmp (name, contents, -1);
  g_autoptr (GError) error = NULL;
  FtcTask *task = ftc_task_import_file (path, FTC_IMPORT_AUTO, &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  return task;
}

static void
test_jsonl (void)
{
  g_autoptr (FtcTask) task = import_ok ("aime.jsonl",
    "{\"question\": \"What is 2+3?\", \"answer\": 5, \"answer_type\": \"number\", \"id\": \"q1\"}\n"
    "\n"
    "{\"question\": \"How much is a thousand?\", \"answer\": \"1,000\", \"answer_type\": \"number\"}\n"
    "{\"question\": \"Pick one.\", \"answer\": \"b\", \"answer_type\": \"choice\", \"choices\": [\"red\", \"blue\", \"green\"]}\n"
    "{\"question\": \"Is ice cold?\", \"answer\": true, \"answer_type\": \"yesno\", \"id\": 17}\n"
    "{\"question\": \"Concatenate.\", \"answer\": \"ab\", \"answer_type\": \"text\", \"steps\": {\"facts\": [\"x\"]}}\n");

  g_assert_cmpstr (task->key, ==, "aime");
  g_assert_cmpuint (task->samples->len, ==, 5);
  g_assert_cmpstr (SAMPLE (task, 0)->id, ==, "q1");
  g_assert_cmpstr (SAMPLE (task, 0)->answer, ==, "5");
  g_assert_cmpstr (SAMPLE (task, 1)->id, ==, "aime-1");
  g_assert_cmpstr (SAMPLE (task, 1)->answer, ==, "1000");
  g_assert_cmpstr (SAMPLE (task, 2)->answer, ==, "B");
  g_assert_cmpstr (SAMPLE (task, 2)->question, ==, "Pick one. Answer Choices: (A) red (B) blue (C) green");
  g_assert_cmpstr (SAMPLE (task, 2)->choices[2], ==, "green");
  g_assert_null (SAMPLE (task, 2)->choices[3]);
  g_assert_cmpstr (SAMPLE (task, 3)->id, ==, "17");
  g_assert_cmpstr (SAMPLE (task, 3)->answer, ==, "yes");
  g_assert_cmpint (SAMPLE (task, 4)->answer_type, ==, FTC_ANSWER_TEXT);
  g_assert_cmpstr (SAMPLE (task, 4)->steps_json, ==, "{\"facts\":[\"x\"]}");
  /* no split given: a seeded 70/30 split */
  g_assert_cmpstr (task->split_name, ==, "seed");
  g_assert_cmpuint (task->train->len + task->test->len, ==, 5);
  g_assert_cmpuint (task->train->len, ==, 4);
}

static void
test_csv (void)
{
  g_autoptr (FtcTask) task = import_ok ("arc.csv",
    "\xef\xbb\xbfid,question,answer,answer_type,choices,split\r\n"
    "a1,\"Which is a \"\"mammal\"\"?\",A,choice,whale|shark|trout,train\r\n"
    "a2,\"Line one\nline two, with a comma\",3,number,,test\r\n"
    "a3,Is it?,No,yesno,,train\r\n");
  g_autoptr (FtcTask) letters = import_ok ("mmlu.csv",
    "question,A,B,C,D,answer,answer_type\n"
    "Capital of France?,Rome,Paris,Oslo,Bern,B,choice\n"
    "Two options only?,yes,no,,,A,choice\n");

  g_assert_cmpuint (task->samples->len, ==, 3);
  g_assert_cmpstr (SAMPLE (task, 0)->question, ==,
                   "Which is a \"mammal\"? Answer Choices: (A) whale (B) shark (C) trout");
  g_assert_cmpstr (SAMPLE (task, 1)->question, ==, "Line one\nline two, with a comma");
  g_assert_cmpstr (SAMPLE (task, 1)->answer, ==, "3");
  g_assert_cmpstr (SAMPLE (task, 2)->answer, ==, "no");
  g_assert_cmpstr (task->split_name, ==, "file");
  g_assert_cmpuint (task->train->len, ==, 2);
  g_assert_cmpuint (task->test->len, ==, 1);
  g_assert_cmpint (g_array_index (task->test, int, 0), ==, 1);

  g_assert_cmpstr (SAMPLE (letters, 0)->question, ==,
                   "Capital of France? Answer Choices: (A) Rome (B) Paris (C) Oslo (D) Bern");
  g_assert_cmpstr (SAMPLE (letters, 0)->answer, ==, "B");
  g_assert_cmpuint (g_strv_length (SAMPLE (letters, 1)->choices), ==, 2);
  g_assert_cmpstr (letters->answer_trigger, ==, "Therefore, among A through D, the answer is");
}

static void
test_bad_input (void)
{
  g_autofree char *huge = NULL;
  static const struct { const char *name, *contents; int code; const char *what; } cases[] = {
    { "a.jsonl", "", FTC_ERROR_PARSE, "empty file" },
    { "a.jsonl", "\n  \n", FTC_ERROR_PARSE, "empty file (no records)" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\"}\n{\"question\": \"q\",\n",
      FTC_ERROR_PARSE, "a.jsonl:2: malformed JSON" },
    { "a.jsonl", "[1, 2]\n", FTC_ERROR_PARSE, "a.jsonl:1: expected a JSON object" },
    { "a.jsonl", "{\"question\": \"q\", \"answer_type\": \"number\"}\n", FTC_ERROR_INVALID,
      "a.jsonl:1: missing field 'answer'" },
    { "a.jsonl", "{\"answer\": \"1\", \"answer_type\": \"number\"}\n", FTC_ERROR_INVALID, "missing field 'question'" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"1\"}\n", FTC_ERROR_INVALID, "missing field 'answer_type'" },
    { "a.jsonl", "{\"question\": 5, \"answer\": \"1\", \"answer_type\": \"number\"}\n", FTC_ERROR_INVALID,
      "field 'question' must be a string" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"numeric\"}\n", FTC_ERROR_INVALID,
      "must be one of number, choice, yesno, text (got 'numeric')" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"one\", \"answer_type\": \"number\"}\n", FTC_ERROR_INVALID,
      "answer 'one' is not a number" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"F\", \"answer_type\": \"choice\", \"choices\": [\"a\", \"b\"]}\n",
      FTC_ERROR_INVALID, "beyond the 2 choices" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"A\", \"answer_type\": \"choice\", \"choices\": \"a|b\"}\n",
      FTC_ERROR_INVALID, "field 'choices' must be an array" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"A\", \"answer_type\": \"choice\", \"choices\": [\"a\", 2]}\n",
      FTC_ERROR_INVALID, "choice 2 must be a string" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"maybe\", \"answer_type\": \"yesno\"}\n", FTC_ERROR_INVALID,
      "not yes or no" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": [1], \"answer_type\": \"text\"}\n", FTC_ERROR_INVALID,
      "must be a string or a number" },
    { "a.jsonl", "{\"question\": \"  \", \"answer\": \"x\", \"answer_type\": \"text\"}\n", FTC_ERROR_INVALID,
      "field 'question' is empty" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"split\": \"dev\"}\n",
      FTC_ERROR_INVALID, "field 'split' must be" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"split\": \"test\"}\n"
                 "{\"question\": \"r\", \"answer\": \"1\", \"answer_type\": \"number\"}\n", FTC_ERROR_INVALID,
      "a.jsonl:2: field 'split' must be given for every record or for none" },
    { "a.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"id\": \"x\"}\n"
                 "{\"question\": \"r\", \"answer\": \"1\", \"answer_type\": \"number\", \"id\": \"x\"}\n",
      FTC_ERROR_INVALID, "a.jsonl:2: id 'x' is used twice" },
    { "a.jsonl", "{\"question\": \"caf\xc3\", \"answer\": \"1\", \"answer_type\": \"number\"}\n", FTC_ERROR_PARSE,
      "a.jsonl:1: invalid UTF-8" },
    { "b.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\"}\n"
                 "{\"question\": \"r\xff\", \"answer\": \"1\", \"answer_type\": \"number\"}\n", FTC_ERROR_PARSE,
      "b.jsonl:2: invalid UTF-8" },
    { "a.csv", "", FTC_ERROR_PARSE, "empty file" },
    { "a.csv", "question,answer,answer_type\n", FTC_ERROR_PARSE, "empty file (no records)" },
    { "a.csv", "question,answer,answer_type\n\"unterminated,1,number\nmore\n", FTC_ERROR_PARSE,
      "a.csv:2: unterminated quoted field" },
    { "a.csv", "question,answer,answer_type\nq,1\n", FTC_ERROR_PARSE, "a.csv:2: 2 fields, the header has 3" },
    { "a.csv", "question,answer,answer_type\nq\"x,1,number\n", FTC_ERROR_PARSE, "a.csv:2: a quote inside" },
    { "a.csv", "question,answer,answer_type\n\"q\"x,1,number\n", FTC_ERROR_PARSE,
      "a.csv:2: unexpected character after a closing quote" },
    { "a.csv", "question,answer,answer_type\n\"multi\nline\",1,number\nq,x,number\n", FTC_ERROR_INVALID,
      "a.csv:4: answer 'x' is not a number" },
    { "a.csv", "question,question,answer_type\nq,1,number\n", FTC_ERROR_PARSE, "column 'question' appears twice" },
    { "a.csv", "question,answer\nq,1\n", FTC_ERROR_INVALID, "a.csv:2: missing field 'answer_type'" },
    /* solution steps the scripted teacher would compute with: checked on import */
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"5\", \"answer_type\": \"number\", \"steps\": {\"family\": \"arithmetic\", \"start\": 1, \"steps\": [{\"op\": 5, \"operand\": 1}]}}\n", FTC_ERROR_INVALID, "s.jsonl:1: field 'steps': steps[0].op must be a string" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"5\", \"answer_type\": \"number\", \"steps\": {\"family\": \"arithmetic\", \"start\": 1, \"steps\": [{\"op\": \"%\", \"operand\": 1}]}}\n", FTC_ERROR_INVALID, "s.jsonl:1: field 'steps': steps[0].op: '%' is not an operation" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"steps\": {\"family\": \"arithmetic\", \"start\": -9223372036854775808, \"steps\": [{\"op\": \"/\", \"operand\": -1}]}}\n", FTC_ERROR_INVALID, "steps.start: -9223372036854775808 is beyond" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"steps\": {\"family\": \"arithmetic\", \"start\": 1000000000, \"steps\": [{\"op\": \"+\", \"operand\": 0}, {\"op\": \"*\", \"operand\": 1000000000}]}}\n", FTC_ERROR_INVALID, "steps[1]: 1000000000 * 1000000000 is beyond" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"steps\": {\"family\": \"arithmetic\", \"start\": 6, \"steps\": [{\"op\": \"/\", \"operand\": 0}]}}\n", FTC_ERROR_INVALID, "steps[0]: division by zero" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"steps\": {\"family\": \"arithmetic\", \"start\": 7, \"steps\": [{\"op\": \"/\", \"operand\": 2}]}}\n", FTC_ERROR_INVALID, "steps[0]: 7 / 2 is not a whole number" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"8\", \"answer_type\": \"number\", \"steps\": {\"family\": \"arithmetic\", \"start\": 4, \"steps\": [{\"op\": \"+\", \"operand\": 5}]}}\n", FTC_ERROR_INVALID, "the steps end in 9, not in the answer 8" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"steps\": 5}\n",
      FTC_ERROR_INVALID, "field 'steps' must be an object" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"yes\", \"answer_type\": \"yesno\", \"steps\": {\"family\": "
                 "\"coin_flip\", \"steps\": [{\"person\": 3, \"flips\": true}]}}\n",
      FTC_ERROR_INVALID, "steps[0].person must be a string" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"A\", \"answer_type\": \"choice\", \"choices\": [\"a\", \"b\"], "
                 "\"steps\": {\"family\": \"shuffled_objects\", \"initial\": {\"Al\": \"a\", \"Bo\": \"b\"}, "
                 "\"target\": \"Al\", \"steps\": [{\"swap\": [\"Al\", \"Cy\"]}]}}\n",
      FTC_ERROR_INVALID, "steps[0].swap[1] must be one of the people of initial" },
    { "s.jsonl", "{\"question\": \"q\", \"answer\": \"1\", \"answer_type\": \"number\", \"steps\": {\"family\": "
                 "\"calculus\", \"steps\": [{}]}}\n", FTC_ERROR_INVALID, "family: unknown family 'calculus'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = ftc_test_write_tmp (cases[i].name, cases[i].contents, -1);
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTask) task = ftc_task_import_file (path, FTC_IMPORT_AUTO, &error);

      g_assert_null (task);
      if (error == NULL || error->code != cases[i].code || strstr (error->message, cases[i].what) == NULL)
        g_error ("case %u: got '%s' (code %d), want '%s' (code %d)", i, error ? error->message : "no error",
                 error ? error->code : -1, cases[i].what, cases[i].code);
    }

  /* a huge line, JSONL and CSV */
  huge = g_strnfill (FTC_IMPORT_MAX_RECORD + 10, 'x');
  {
    g_autofree char *contents = g_strdup_printf ("{\"question\": \"ok\", \"answer\": \"1\", \"answer_type\": \"number\"}\n"
                                                 "{\"question\": \"%s\"}\n", huge);
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcTask) task = ftc_task_import_data (contents, strlen (contents), FTC_IMPORT_JSONL, "h.jsonl", &error);
    g_assert_null (task);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
    g_assert_cmpstr (error->message, ==, "h.jsonl:2: line longer than 1048576 bytes");
  }
  {
    g_autofree char *contents = g_strdup_printf ("question,answer,answer_type\n\"%s\",1,number\n", huge);
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcTask) task = ftc_task_import_data (contents, strlen (contents), FTC_IMPORT_CSV, "h.csv", &error);
    g_assert_null (task);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
    g_assert_cmpstr (error->message, ==, "h.csv:2: record longer than 1048576 bytes");
  }
  /* a missing file */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcTask) task = ftc_task_import_file ("/nonexistent/x.jsonl", FTC_IMPORT_AUTO, &error);
    g_assert_null (task);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  }
}

/* A generated task written as JSONL reads back identical, split and steps included. */
static void
test_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = ftc_synthetic_generate ("synthetic_shuffled_objects", 40, 9, 5, &error);
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "objects.jsonl", NULL);
  g_autoptr (FtcTask) back = NULL;

  g_assert_no_error (error);
  g_assert_true (ftc_task_save_jsonl (task, path, &error));
  g_assert_no_error (error);
  back = ftc_task_import_file (path, FTC_IMPORT_AUTO, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->samples->len, ==, 40);
  g_assert_cmpstr (back->split_name, ==, "file");
  g_assert_cmpmem (back->train->data, back->train->len * sizeof (int), task->train->data, task->train->len * sizeof (int));
  g_assert_cmpmem (back->test->data, back->test->len * sizeof (int), task->test->data, task->test->len * sizeof (int));
  g_assert_cmpstr (back->answer_trigger, ==, "Therefore, among A through E, the answer is");
  for (guint i = 0; i < 40; i++)
    {
      FtcSample *a = SAMPLE (task, i), *b = SAMPLE (back, i);
      g_assert_cmpstr (a->id, ==, b->id);
      g_assert_cmpstr (a->question, ==, b->question);
      g_assert_cmpstr (a->answer, ==, b->answer);
      g_assert_cmpint (a->answer_type, ==, b->answer_type);
      g_assert_cmpstr (a->steps_json, ==, b->steps_json);
      g_assert_cmpuint (g_strv_length (a->choices), ==, g_strv_length (b->choices));
      for (guint c = 0; a->choices[c] != NULL; c++)
        g_assert_cmpstr (a->choices[c], ==, b->choices[c]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/task-import/jsonl", test_jsonl);
  g_test_add_func ("/task-import/csv", test_csv);
  g_test_add_func ("/task-import/bad-input", test_bad_input);
  g_test_add_func ("/task-import/round-trip", test_round_trip);
  return g_test_run ();
}
