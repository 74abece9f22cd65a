/* test-answer: answer extraction and comparison, case tables per answer type and extraction mode. */
#include <string.h>

#include "core/tasks/ftc-answer.h"
#include "core/tasks/ftc-math-answer.h"
#include "core/ftc-error.h"
#include "core/tasks/ftc-task-registry.h"

#define N FTC_ANSWER_NUMBER
#define C FTC_ANSWER_CHOICE
#define Y FTC_ANSWER_YESNO
#define T FTC_ANSWER_TEXT
#define M FTC_ANSWER_MATH

#define STEP2 FTC_EXTRACT_ANSWER_TEXT
#define ARROW FTC_EXTRACT_ARROW
#define IS FTC_EXTRACT_THE_ANSWER_IS
#define THEREFORE FTC_EXTRACT_THEREFORE
#define DIRECT FTC_EXTRACT_DIRECT
#define AUTO FTC_EXTRACT_COMPLETION

typedef struct {
  FtcAnswerType type;
  int n_choices;
  FtcExtractMode mode;
  const char *text;
  const char *expected;  /* NULL: nothing found */
} ExtractCase;

static const ExtractCase extract_cases[] = {
  /* numbers, step-2 answer text: commas removed, first number, trailing "." dropped */
  { N, 0, STEP2, " 42.", "42" },
  { N, 0, STEP2, " 1,000", "1000" },
  { N, 0, STEP2, " $1,000.", "1000" },
  { N, 0, STEP2, " 1,234,567.89 dollars", "1234567.89" },
  { N, 0, STEP2, " -3", "-3" },
  { N, 0, STEP2, " -3.5 degrees", "-3.5" },
  { N, 0, STEP2, " 3.50", "3.50" },
  { N, 0, STEP2, " 12 apples and 15 oranges", "12" },
  { N, 0, STEP2, "\n\n8 hours", "8" },
  { N, 0, STEP2, " 5.5.5", "5.5" },
  { N, 0, STEP2, " 3:45 pm", "3" },
  { N, 0, STEP2, " 2/3 of them", "2" },
  { N, 0, STEP2, " - 5", "5" },
  { N, 0, STEP2, "abc-7xyz", "-7" },
  { N, 0, STEP2, " 10-4", "10" },
  { N, 0, STEP2, " .5", "5" },
  { N, 0, STEP2, " 7.", "7" },
  { N, 0, STEP2, " 1e5", "1" },
  { N, 0, STEP2, " 0", "0" },
  { N, 0, STEP2, " 007", "007" },
  { N, 0, STEP2, " There is no answer.", NULL },
  { N, 0, STEP2, "", NULL },
  { N, 0, STEP2, " -", NULL },
  { N, 0, STEP2, " ,,,", NULL },
  /* numbers, one-step completions with a prefix: first after it, else the last of all */
  { N, 0, ARROW, " 6 + 7 = 13 --> 13 END", "13" },
  { N, 0, ARROW, " 6 + 7 = 13 --> 13", "13" },
  { N, 0, ARROW, " 6 + 7 = 13 --> 42 END", "42" },
  { N, 0, ARROW, " 6 + 7 = 13 so 14 END", "14" },
  { N, 0, ARROW, " 6 + 7 = 13 so 14 END 99", "14" },
  { N, 0, ARROW, " 6 + 7 = 13 --> END", NULL },
  { N, 0, ARROW, " 6 + 7 = 13 --> END 13", NULL },
  { N, 0, ARROW, " --> 42 END 17", "42" },
  { N, 0, ARROW, " 1 --> 2 --> 3", "2" },
  { N, 0, ARROW, " 1,500 + 500 = 2,000 --> 2,000 END", "2000" },
  { N, 0, ARROW, " He owes 5 --> -5 END", "-5" },
  { N, 0, ARROW, " no numbers at all END", NULL },
  { N, 0, IS, " So 5 + 3 = 8. The answer is 8.", "8" },
  { N, 0, IS, " So 5 + 3 = 8. The answer is 8. Check: 4 + 4", "8" },
  { N, 0, IS, " 5 and 9 are the two numbers", "9" },
  { N, 0, IS, " the answer is 4, then 5", "5" },
  { N, 0, THEREFORE, " 2 + 2 = 4. Therefore, the answer is 4.", "4" },
  { N, 0, THEREFORE, " 2 + 2 = 4. Therefore the answer is 4, not 5", "5" },
  { N, 0, DIRECT, " 42 END", "42" },
  { N, 0, DIRECT, " 1,200 END 7", "1200" },
  { N, 0, DIRECT, " 3 or 4", "3" },
  { N, 0, AUTO, " 3 + 4 = 7 --> 7 END", "7" },
  { N, 0, AUTO, " 3 + 4 = 7. The answer is 7. Then 9", "7" },
  { N, 0, AUTO, " 3 + 4 = 7. Therefore, the answer is 7. The answer is 9", "7" },
  { N, 0, AUTO, " 3 and 4", "4" },
  { N, 0, AUTO, " 3 and 4 END 5", "4" },
  /* choice letters, restricted to the task's letters */
  { C, 5, STEP2, " (C) 12", "C" },
  { C, 5, STEP2, " C.", "C" },
  { C, 5, STEP2, " answer is C) 12", "C" },
  { C, 5, STEP2, " The answer is (B).", "B" },
  { C, 5, STEP2, " E", "E" },
  { C, 5, STEP2, " D or E", "D" },
  { C, 5, STEP2, " F", NULL },
  { C, 6, STEP2, " F", "F" },
  { C, 5, STEP2, " none of the above", NULL },
  { C, 5, STEP2, " Among A through E, the answer is D", "A" },
  { C, 3, STEP2, " (D) is wrong, (B) is right", "B" },
  { C, 3, STEP2, " (E)", NULL },
  { C, 3, STEP2, " c", NULL },
  { C, 0, STEP2, " Z", "Z" },
  { C, 5, STEP2, "", NULL },
  { C, 3, ARROW, " The ball is with Bob. --> (B) END", "B" },
  { C, 3, ARROW, " Bob has the ball --> END", NULL },
  { C, 3, ARROW, " Alice passes to Bob, answer C END", "C" },
  { C, 5, ARROW, " it is the 4th --> D", "D" },
  { C, 5, IS, " Answer: A or B. The answer is (E).", "E" },
  { C, 5, AUTO, " Apples --> (A) END", "A" },
  /* yes / no */
  { Y, 0, STEP2, " Yes.", "yes" },
  { Y, 0, STEP2, " no", "no" },
  { Y, 0, STEP2, " YES, it is", "yes" },
  { Y, 0, STEP2, " No, because yes", "no" },
  { Y, 0, STEP2, " yes!", NULL },
  { Y, 0, STEP2, " Noah says yes", "yes" },
  { Y, 0, STEP2, " \"no\"", "no" },
  { Y, 0, STEP2, " 'Yes'", "yes" },
  { Y, 0, STEP2, " yes:", "yes" },
  { Y, 0, STEP2, "\nNo\n", "no" },
  { Y, 0, STEP2, "\xc2\xa0yes", "yes" },
  { Y, 0, STEP2, " Unknown", NULL },
  { Y, 0, STEP2, " nope", NULL },
  { Y, 0, STEP2, " (yes)", NULL },
  { Y, 0, ARROW, " The coin was flipped twice --> yes END", "yes" },
  { Y, 0, ARROW, " heads, so no --> END", NULL },
  { Y, 0, ARROW, " Yes, flipped. Then no. END", "no" },
  /* last-letter strings: quotes, dots and whitespace removed, the rest is the answer */
  { T, 0, STEP2, " ntoe.", "ntoe" },
  { T, 0, STEP2, " \"ntoe\"", "ntoe" },
  { T, 0, STEP2, " n t o e", "ntoe" },
  { T, 0, STEP2, " 'ab'.\n", "ab" },
  { T, 0, STEP2, " ab, cd", "ab,cd" },
  { T, 0, STEP2, "  \n ", NULL },
  { T, 0, STEP2, " \xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },
  { T, 0, ARROW, " The last letters are n and t --> nt END", "nt" },
  { T, 0, ARROW, " The last letters are n and t --> END", NULL },
  /* invalid UTF-8 is repaired, never crashes */
  { N, 0, STEP2, "\xff\xfe 42", "42" },
  { Y, 0, STEP2, "\xff yes", "yes" },
};

static void
test_extract_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (extract_cases); i++)
    {
      const ExtractCase *c = &extract_cases[i];
      FtcAnswerFormat format = { c->type, c->n_choices };
      g_autofree char *got = ftc_answer_extract (&format, c->text, c->mode);

      if (g_strcmp0 (got, c->expected) != 0)
        g_error ("case %" G_GSIZE_FORMAT " (%s, %s): extract(\"%s\") = %s%s%s, expected %s%s%s", i,
                 ftc_answer_format_type_name (c->type), ftc_extract_mode_to_string (c->mode), c->text,
                 got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
                 c->expected ? "\"" : "", c->expected ? c->expected : "NULL", c->expected ? "\"" : "");
    }
}

typedef struct {
  FtcAnswerType type;
  const char *prediction;
  const char *gold;
  gboolean expected;
  double tolerance;
} MatchCase;

#define REF FTC_ANSWER_TOLERANCE_REFERENCE

static const MatchCase match_cases[] = {
  { N, "42", "42", TRUE },
  { N, "3.50", "3.5", TRUE },
  { N, "3.5", "3.50", TRUE },
  { N, "1000", "1,000", TRUE },
  { N, "1,000", "1000", TRUE },
  { N, "-3", "-3", TRUE },
  { N, "-3", "3", FALSE },
  { N, "42", "42.0000001", FALSE },  /* no tolerance by default */
  { N, "42", "42.0000001", TRUE, REF },
  { N, "42", "42.00001", FALSE, REF },  /* 1e-5 apart */
  { N, "0.6666666666666667", "0.6666666666666666", FALSE },
  { N, "0.6666666666666667", "0.6666666666666666", TRUE, REF },
  { N, "0.66666666666666667", "0.6666666666666666", TRUE },  /* the same double */
  { N, "12.30", "12.3", TRUE },
  { N, "-0", "0", TRUE },
  { N, "5", "5.0", TRUE },
  { N, "007", "7", TRUE },
  { N, "0.1", "0.10000001", TRUE, REF },
  { N, "0.1", "0.10000001", FALSE },
  { N, "42", " 42\n", TRUE },
  { N, NULL, "42", FALSE },
  { N, "", "42", FALSE },
  { N, "  ", "", FALSE },
  { N, "abc", "abc", TRUE },          /* gold not a number: strings */
  { N, "12", "twelve", FALSE },
  { N, "inf", "inf", TRUE },          /* not a decimal: compared as strings */
  { N, "nan", "0", FALSE },
  { C, "C", "C", TRUE },
  { C, "C", "c", TRUE },
  { C, "C", " C ", TRUE },
  { C, "C", "D", FALSE },
  { C, NULL, "A", FALSE },
  { Y, "yes", "yes", TRUE },
  { Y, "yes", "Yes", TRUE },
  { Y, "no", "yes", FALSE },
  { Y, "yes", "yes\n", TRUE },
  { T, "ntoe", "ntoe", TRUE },
  { T, "ntoe", "ntoe ", TRUE },
  { T, "nteo", "ntoe", FALSE },
  { T, "NewYork", "New York.", TRUE },
  { T, "ntoe", "", FALSE },
  { T, "", "", FALSE },
};

static void
test_match_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (match_cases); i++)
    {
      const MatchCase *c = &match_cases[i];
      FtcAnswerFormat format = { c->type, 0, c->tolerance };
      gboolean got = ftc_answer_match_format (&format, c->prediction, c->gold);

      if (got != c->expected)
        g_error ("case %" G_GSIZE_FORMAT ": match(%s, \"%s\", \"%s\", tolerance %g) = %d, expected %d", i,
                 ftc_answer_format_type_name (c->type), c->prediction ? c->prediction : "(null)", c->gold,
                 c->tolerance, got, c->expected);
      if (c->tolerance == 0.0)
        g_assert_cmpint (ftc_answer_match (c->type, c->prediction, c->gold), ==, got);
    }
}

/* extraction and comparison together, the way scoring uses them */
static void
test_extract_then_match (void)
{
  const struct {
    FtcAnswerType type;
    int n_choices;
    FtcExtractMode mode;
    const char *text;
    const char *gold;
    gboolean correct;
  } cases[] = {
    { N, 0, ARROW, " 40 + 2 = 42 --> 42 END", "42", TRUE },
    { N, 0, ARROW, " 40 + 2 = 42 --> 43 END", "42", FALSE },
    { N, 0, STEP2, " $3.50.", "3.5", TRUE },
    { N, 0, STEP2, " 1,000,000", "1000000", TRUE },
    { N, 0, STEP2, " -12 degrees", "-12", TRUE },
    { N, 0, STEP2, " nothing", "0", FALSE },
    { C, 5, STEP2, " (C) 12", "C", TRUE },
    { C, 5, STEP2, " (C) 12", "E", FALSE },
    { Y, 0, STEP2, " No.", "no", TRUE },
    { Y, 0, STEP2, " No.", "yes", FALSE },
    { T, 0, STEP2, " \"nkyg\".", "nkyg", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FtcAnswerFormat format = { cases[i].type, cases[i].n_choices };
      g_autofree char *prediction = ftc_answer_extract (&format, cases[i].text, cases[i].mode);
      g_assert_cmpint (ftc_answer_match (format.type, prediction, cases[i].gold), ==, cases[i].correct);
    }
}

static void
test_candidates (void)
{
  FtcAnswerFormat number = { N, 0 };
  FtcAnswerFormat choice = { C, 3 };
  g_autoptr (GPtrArray) numbers = ftc_answer_candidates (&number, "1,000 and -2.5, then 3.");
  g_autoptr (GPtrArray) letters = ftc_answer_candidates (&choice, "A bird, Cat, Dog, Bee");

  g_assert_cmpuint (numbers->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (numbers, 0), ==, "1000");
  g_assert_cmpstr (g_ptr_array_index (numbers, 1), ==, "-2.5");
  g_assert_cmpstr (g_ptr_array_index (numbers, 2), ==, "3");
  g_assert_cmpuint (letters->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (letters, 0), ==, "A");
  g_assert_cmpstr (g_ptr_array_index (letters, 1), ==, "C");
  g_assert_cmpstr (g_ptr_array_index (letters, 2), ==, "B");
}

static void
test_format_parse (void)
{
  const struct {
    const char *s;
    gboolean ok;
    FtcAnswerType type;
    int n_choices;
  } cases[] = {
    { "number", TRUE, N, 0 },
    { "choice", TRUE, C, 0 },
    { "choice:5", TRUE, C, 5 },
    { "choice:26", TRUE, C, 26 },
    { "yesno", TRUE, Y, 0 },
    { "text", TRUE, T, 0 },
    { "choice:0", FALSE, 0, 0 },
    { "choice:27", FALSE, 0, 0 },
    { "choice:5x", FALSE, 0, 0 },
    { "choice:", FALSE, 0, 0 },
    { "number:3", FALSE, 0, 0 },
    { "numbers", FALSE, 0, 0 },
    { "", FALSE, 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FtcAnswerFormat format = { -1, -1, -1.0 };
      g_autoptr (GError) error = NULL;
      gboolean ok = ftc_answer_format_parse (cases[i].s, &format, &error);

      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_autofree char *back = ftc_answer_format_to_string (&format);
          g_assert_no_error (error);
          g_assert_cmpint (format.type, ==, cases[i].type);
          g_assert_cmpint (format.n_choices, ==, cases[i].n_choices);
          g_assert_cmpfloat (format.tolerance, ==, 0.0);
          g_assert_cmpstr (back, ==, cases[i].s);
        }
      else
        {
          g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, cases[i].s));
        }
    }
}

static void
test_modes (void)
{
  FtcExtractMode modes[] = { STEP2, ARROW, IS, THEREFORE, DIRECT, AUTO };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      FtcExtractMode back = -1;
      const char *name = ftc_extract_mode_to_string (modes[i]);
      g_assert_nonnull (name);
      g_assert_true (ftc_extract_mode_from_string (name, &back));
      g_assert_cmpint (back, ==, modes[i]);
    }
  g_assert_false (ftc_extract_mode_from_string ("sideways", &modes[0]));
}

static void
test_count_choices (void)
{
  g_assert_cmpint (ftc_answer_count_choices ("Which? Answer Choices: (A) 550 (B) 570 (C) 600 (D) 700 (E) none"),
                   ==, 5);
  g_assert_cmpint (ftc_answer_count_choices ("Which choice is true ? Answer Choices: (A) x (B) y (C) z"), ==, 3);
  g_assert_cmpint (ftc_answer_count_choices ("(A) x (B) y (D) z"), ==, 2);
  g_assert_cmpint (ftc_answer_count_choices ("How many apples?"), ==, 0);
  g_assert_cmpint (ftc_answer_count_choices (NULL), ==, 0);
}

/* Every built-in task has a format the extractor knows. */
static void
test_registry_formats (void)
{
  guint n = 0;
  const FtcTaskInfo *tasks = ftc_task_registry (&n);

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      FtcAnswerFormat format = ftc_answer_format_for_task_info (&tasks[i]);
      g_autofree char *name = ftc_answer_format_to_string (&format);
      FtcAnswerFormat back;
      g_assert_true (ftc_answer_format_parse (name, &back, NULL));
      g_assert_cmpint (back.type, ==, format.type);
      g_assert_cmpint (back.n_choices, ==, format.n_choices);
      g_assert_cmpint (format.type, ==, tasks[i].answer_type);
      g_assert_cmpint (format.n_choices, ==, tasks[i].n_choices);
      g_assert_cmpfloat (format.tolerance, ==, 0.0);
    }
}

/* Random bytes in every type and mode: no crash, and whatever comes out has the type's shape. */
static void
test_random_inputs (void)
{
  const char alphabet[] = "0123456789-.,:;'\" \n\tABCDEFabcyesnoYESNO->END$\xc2\xa0\xff";
  FtcAnswerType types[] = { N, C, Y, T, M };
  FtcExtractMode modes[] = { STEP2, ARROW, IS, THEREFORE, DIRECT, AUTO };

  for (int iter = 0; iter < 3000; iter++)
    {
      int len = g_test_rand_int_range (0, 60);
      g_autofree char *text = g_malloc (len + 1);
      FtcAnswerFormat format = { types[iter % G_N_ELEMENTS (types)], g_test_rand_int_range (0, 7) };
      FtcExtractMode mode = modes[g_test_rand_int_range (0, G_N_ELEMENTS (modes))];
      g_autofree char *got = NULL;

      for (int i = 0; i < len; i++)
        text[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      text[len] = '\0';
      got = ftc_answer_extract (&format, text, mode);
      if (got == NULL)
        continue;
      g_assert_true (g_utf8_validate (got, -1, NULL));
      g_assert_cmpuint (strlen (got), >, 0);
      switch (format.type)
        {
        case FTC_ANSWER_NUMBER:
          g_assert_true (g_regex_match_simple ("^-?[0-9]+(\\.[0-9]+)?$", got, 0, 0));
          g_assert_true (ftc_answer_match (N, got, got));
          break;
        case FTC_ANSWER_CHOICE:
          g_assert_cmpuint (strlen (got), ==, 1);
          g_assert_true (got[0] >= 'A' && got[0] < 'A' + (format.n_choices ? format.n_choices : 26));
          break;
        case FTC_ANSWER_YESNO:
          g_assert_true (strcmp (got, "yes") == 0 || strcmp (got, "no") == 0);
          break;
        case FTC_ANSWER_TEXT:
          g_assert_null (strpbrk (got, " .\"'\n\t"));
          g_assert_true (ftc_answer_match (T, got, got));
          break;
        case FTC_ANSWER_MATH:
          /* a math answer is its own equal unless nothing of it survives normalisation ("$.") */
          {
            g_autofree char *n = ftc_math_normalize (got);
            g_assert_true (*n == '\0' || ftc_answer_match (M, got, got));
          }
          break;
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/answer/extract-table", test_extract_table);
  g_test_add_func ("/answer/match-table", test_match_table);
  g_test_add_func ("/answer/extract-then-match", test_extract_then_match);
  g_test_add_func ("/answer/candidates", test_candidates);
  g_test_add_func ("/answer/format-parse", test_format_parse);
  g_test_add_func ("/answer/modes", test_modes);
  g_test_add_func ("/answer/count-choices", test_count_choices);
  g_test_add_func ("/answer/registry-formats", test_registry_formats);
  g_test_add_func ("/answer/random-inputs", test_random_inputs);
  return g_test_run ();
}
