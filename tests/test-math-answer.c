/* test-math-answer: math answers (extraction, LaTeX normalisation, the expression evaluator, equality),
 * the table of hand-made (response, gold) pairs scored by `ftcot score --answer-type math`, and the choice
 * labels reasoning models write. */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-answer.h"
#include "core/tasks/ftc-math-answer.h"
#include "core/tasks/ftc-math-expr.h"
#include "tests/ftc-test-util.h"

typedef struct {
  const char *text;
  const char *expected;   /* NULL: nothing */
} Case;

static void
test_extract (void)
{
  static const Case cases[] = {
    { "So $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}" },
    { "\\boxed{\\frac{\\sqrt{\\frac{1}{2}}}{2}} and more", "\\frac{\\sqrt{\\frac{1}{2}}}{2}" },
    { "first \\boxed{3}, then \\boxed{4}", "4" },
    { "\\fbox{ 12 }", "12" },
    { "the sum is $\\framebox{204}$ minutes", "204" },
    { "$\\boxed 7$", "7" },
    { "\\boxed{\\{1, 2\\}}", "\\{1, 2\\}" },
    { "\\boxed{\\frac{1}{2", "2" },                      /* unclosed: the last number */
    { "Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.", "\\frac{3}{4}" },
    { "the FINAL ANSWER IS 12.\nmore text 99", "12" },
    { "2 apples and 1,234.5 pears", "1234.5" },
    { "owes -7 dollars", "-7" },
    { "no numbers", NULL },
    { "", NULL },
    { "\\boxedx 5", "5" },                              /* not \boxed: a number */
    { "\\boxed{}", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = ftc_math_answer_extract (cases[i].text);
      if (g_strcmp0 (got, cases[i].expected) != 0)
        g_error ("extract(%s) = %s, expected %s", cases[i].text, got ? got : "NULL",
                 cases[i].expected ? cases[i].expected : "NULL");
    }
}

static void
test_normalize (void)
{
  static const Case cases[] = {
    { "$\\dfrac{1}{2}$", "\\frac{1}{2}" },
    { "\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})" },
    { "10\\%", "10" },
    { "\\$18.90", "18.90" },
    { "90^\\circ", "90" },
    { "90^{\\circ}", "90" },
    { "5\\text{ cm}", "5" },
    { "12 inches", "12" },
    { "\\text{Evelyn}", "Evelyn" },
    { "x = 5", "5" },
    { "\\theta=30", "30" },
    { "x \\in [1, 2)", "[1,2)" },
    { "x = y = 1", "x=y=1" },                        /* a chain, not a prefix */
    { "1,000,000", "1000000" },
    { "1,\\!000", "1000" },
    { "1{,}024", "1024" },
    { "(1,000)", "(1,000)" },                        /* a tuple keeps its comma */
    { "3.", "3" },
    { "{5}", "5" },
    { "\\pi r^2", "\\pi r^2" },
    { "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}" },
    { "  ", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = ftc_math_normalize (cases[i].text);
      if (strcmp (got, cases[i].expected) != 0)
        g_error ("normalize(%s) = %s, expected %s", cases[i].text, got, cases[i].expected);
    }
}

typedef struct {
  const char *latex;
  double x;            /* the value of x, when the expression has it */
  double expected;
} EvalCase;

static void
test_expr_eval (void)
{
  const EvalCase cases[] = {
    { "1+2*3", 0, 7 },
    { "2^10", 0, 1024 },
    { "2^{1+2}", 0, 8 },
    { "-x^2", 1.7, -1.7 * 1.7 },
    { "2x(x+1)", 1.3, 2 * 1.3 * 2.3 },
    { "\\frac{x^2+1}{2}", 1.7, (1.7 * 1.7 + 1) / 2 },
    { "\\frac12", 0, 0.5 },
    { "3\\sqrt{2}", 0, 3 * sqrt (2) },
    { "\\sqrt[3]{-8}", 0, -2 },
    { "\\sin^2 x + \\cos^2 x", 0.9, 1 },
    { "\\log_2 8", 0, 3 },
    { "\\ln(x)", 2.5, log (2.5) },
    { "5!", 0, 120 },
    { "|x-3|", 1.25, 1.75 },
    { "\\left(x+1\\right)\\cdot 2", 0.5, 3 },
    { "x^{-1}", 4, 0.25 },
    { "\\pi x", 2, 2 * G_PI },
    { "6 \\div 4", 0, 1.5 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcMathExpr) e = ftc_math_expr_parse (cases[i].latex, &error);
      double got;

      if (e == NULL)
        g_error ("parse(%s): %s", cases[i].latex, error->message);
      got = ftc_math_expr_eval (e, &cases[i].x);
      /* doubles through the same operations: 1e-12 relative */
      if (!(fabs (got - cases[i].expected) <= 1e-12 * MAX (1.0, fabs (cases[i].expected))))
        g_error ("eval(%s) = %.17g, expected %.17g", cases[i].latex, got, cases[i].expected);
    }
  {
    g_autoptr (FtcMathExpr) e = ftc_math_expr_parse ("a_1 + \\theta y", NULL);
    g_assert_nonnull (e);
    g_assert_cmpuint (ftc_math_expr_n_vars (e), ==, 3);
    g_assert_cmpstr (ftc_math_expr_var_name (e, 0), ==, "a_1");
    g_assert_cmpstr (ftc_math_expr_var_name (e, 1), ==, "\\theta");
    g_assert_cmpstr (ftc_math_expr_var_name (e, 2), ==, "y");
  }
}

static void
test_expr_refused (void)
{
  static const char *const refused[] = {
    "Evelyn", "abc", "1+", "(1+2", "\\unknown{3}", "1,2", "x y z w", "", "\\frac{1}", "2 = 3",
  };
  GString *deep = g_string_new (NULL);
  g_autofree char *too_long = g_strnfill (FTC_MATH_EXPR_MAX_LEN + 1, '1');

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcMathExpr) e = ftc_math_expr_parse (refused[i], &error);
      if (e != NULL)
        g_error ("parse(%s) should fail", refused[i]);
      g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
    }
  /* nesting past the limit is refused, not a stack overflow */
  for (int i = 0; i < 400; i++)
    g_string_append (deep, "(");
  g_string_append (deep, "1");
  for (int i = 0; i < 400; i++)
    g_string_append (deep, ")");
  g_assert_null (ftc_math_expr_parse (deep->str, NULL));
  g_string_free (deep, TRUE);
  g_assert_null (ftc_math_expr_parse (too_long, NULL));
}

static void
test_expr_equal (void)
{
  static const struct {
    const char *a, *b;
    gboolean equal;
  } cases[] = {
    { "x^2+2x+1", "(x+1)^2", TRUE },
    { "x^2+2x+1", "(x+1)^2+10^{-3}", FALSE },
    { "\\frac{a}{b}", "a/b", TRUE },
    { "\\frac{a}{b}", "b/a", FALSE },
    { "\\sqrt{x^2}", "x", TRUE },          /* at the positive points compared */
    { "x", "y", FALSE },
    { "2", "2.0001", TRUE },               /* within 1e-4 relative */
    { "2", "2.001", FALSE },
    { "\\infty", "\\infty", TRUE },
    { "-\\infty", "\\infty", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FtcMathExpr) a = ftc_math_expr_parse (cases[i].a, NULL);
      g_autoptr (FtcMathExpr) b = ftc_math_expr_parse (cases[i].b, NULL);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      if (ftc_math_expr_equal (a, b, FTC_MATH_REL_TOL) != cases[i].equal)
        g_error ("%s vs %s: expected %s", cases[i].a, cases[i].b, cases[i].equal ? "equal" : "different");
    }
}

static int
run_cli (char **out, char **err, const char *first, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = ftc_test_cli_launcher ();
  va_list args;
  int status;

  va_start (args, first);
  status = ftc_test_cli_run_va (launcher, NULL, out, err, first, args);
  va_end (args);
  return status;
}

/* The table: every pair as a record, scored by the ftcot binary (completion records, the default mode)
 * and by the API on the teacher's answer-text field. */
static void
test_pairs_table (void)
{
  g_autofree char *table = g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT"), "tests", "data",
                                             "math-answer-pairs.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) records = g_string_new (NULL);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL, *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *scored;
  FtcAnswerFormat math = { FTC_ANSWER_MATH, 0, 0.0 };
  guint equivalent = 0;
  int status;

  g_assert_true (g_file_get_contents (table, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      g_autoptr (JsonObject) r = json_object_new ();
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      JsonObject *row;
      g_autofree char *line = NULL;
      g_autofree char *prediction = NULL;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (p, lines[i], -1, &error));
      row = json_node_get_object (json_parser_get_root (p));
      g_ptr_array_add (expected, json_object_ref (row));
      equivalent += json_object_get_boolean_member (row, "equivalent");
      json_object_set_string_member (r, "question", json_object_get_string_member (row, "why"));
      json_object_set_string_member (r, "completion", json_object_get_string_member (row, "response"));
      json_object_set_string_member (r, "gold", json_object_get_string_member (row, "gold"));
      json_node_set_object (node, r);
      json_generator_set_root (gen, node);
      line = json_generator_to_data (gen, NULL);
      g_string_append_printf (records, "%s\n", line);

      /* the same through the API, as a teacher's answer text */
      prediction = ftc_answer_extract (&math, json_object_get_string_member (row, "response"),
                                       FTC_EXTRACT_ANSWER_TEXT);
      if (ftc_answer_match_format (&math, prediction, json_object_get_string_member (row, "gold"))
          != json_object_get_boolean_member (row, "equivalent"))
        g_error ("answer text %s vs %s: prediction %s, expected %s", json_object_get_string_member (row, "response"),
                 json_object_get_string_member (row, "gold"), prediction ? prediction : "NULL",
                 json_object_get_boolean_member (row, "equivalent") ? "equivalent" : "different");
    }
  /* the issue asks for at least 60 pairs, both kinds */
  g_assert_cmpuint (expected->len, >=, 60);
  g_assert_cmpuint (equivalent, >=, 20);
  g_assert_cmpuint (expected->len - equivalent, >=, 20);

  path = ftc_test_write_tmp ("pairs.jsonl", records->str, records->len);
  status = run_cli (&out, &err, "score", "--answer-type", "math", "--details", "--json",
                    path, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  scored = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "records");
  g_assert_cmpuint (json_array_get_length (scored), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    {
      JsonObject *row = expected->pdata[i];
      JsonObject *got = json_array_get_object_element (scored, i);
      if (json_object_get_boolean_member (got, "correct") != json_object_get_boolean_member (row, "equivalent"))
        g_error ("pair %u (%s): %s vs %s scored %s", i + 1, json_object_get_string_member (row, "why"),
                 json_object_get_string_member (row, "response"), json_object_get_string_member (row, "gold"),
                 json_object_get_boolean_member (got, "correct") ? "correct" : "wrong");
    }
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "correct"),
                   ==, equivalent);
}

/* Math in the one-step modes: after "-->" the answer is the rest of the sentence, not its last digit. */
static void
test_math_modes (void)
{
  static const struct {
    FtcExtractMode mode;
    const char *text, *expected;
  } cases[] = {
    { FTC_EXTRACT_ARROW, " 1/2 of 4 is 2 --> \\frac{1}{2} END", "\\frac{1}{2}" },
    { FTC_EXTRACT_ARROW, " so x = 3 --> (1, 2] END junk", "(1, 2]" },
    { FTC_EXTRACT_ARROW, " no arrow, 5 then 6 END", "6" },
    { FTC_EXTRACT_ANSWER_TEXT, " $\\frac{1}{2}$.", "\\frac{1}{2}" },
    { FTC_EXTRACT_ANSWER_TEXT, " 3\\sqrt{2}. Because the side is", "3\\sqrt{2}" },
    { FTC_EXTRACT_ANSWER_TEXT, "We find 3.\nThen 4 more, so 7 in all", "7" },
    { FTC_EXTRACT_DIRECT, " -\\frac{2}{3} END", "-\\frac{2}{3}" },
    { FTC_EXTRACT_COMPLETION, " long thinking ... The answer is \\boxed{12}. END", "12" },
    { FTC_EXTRACT_COMPLETION, " thinking. Therefore, the answer is \\pi.", "\\pi" },
  };
  FtcAnswerFormat math = { FTC_ANSWER_MATH, 0, 0.0 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = ftc_answer_extract (&math, cases[i].text, cases[i].mode);
      if (g_strcmp0 (got, cases[i].expected) != 0)
        g_error ("%s: extract(%s) = %s, expected %s", ftc_extract_mode_to_string (cases[i].mode), cases[i].text,
                 got ? got : "NULL", cases[i].expected);
    }
}

/* Choice labels: \boxed{}, "Answer: C", numbers for numbered choices, "(C)" and "C)" in one-step
 * completions; the teacher's step-2 text keeps Kojima et al.'s first-letter rule. */
static void
test_choice_labels (void)
{
  static const struct {
    int n_choices;
    FtcExtractMode mode;
    const char *text, *expected;
  } cases[] = {
    { 4, FTC_EXTRACT_COMPLETION, "All options considered... \\boxed{C}", "C" },
    { 4, FTC_EXTRACT_COMPLETION, "A is wrong, B too. \\boxed{\\text{(D)}}", "D" },
    { 4, FTC_EXTRACT_COMPLETION, "Among all, \\boxed{2}", "B" },
    { 4, FTC_EXTRACT_COMPLETION, "After Analysis of Each option.\nAnswer: C", "C" },
    { 4, FTC_EXTRACT_COMPLETION, "A dog (B) is not it; the answer is (D).", "D" },
    { 4, FTC_EXTRACT_COMPLETION, "Answer: 3", "C" },
    { 4, FTC_EXTRACT_COMPLETION, "so the answer is 2.", "B" },
    { 3, FTC_EXTRACT_COMPLETION, "so the answer is 4, or (C)", "C" },   /* 4 is beyond three choices */
    { 4, FTC_EXTRACT_COMPLETION, " 4", "D" },
    { 4, FTC_EXTRACT_COMPLETION, "I pick (B) over (C)", "C" },     /* one-step: the last label */
    { 4, FTC_EXTRACT_COMPLETION, "I think C) is it", "C" },
    { 4, FTC_EXTRACT_ARROW, " It rains --> B) END", "B" },
    { 5, FTC_EXTRACT_ANSWER_TEXT, " Among A through E, the answer is D", "A" },   /* Kojima's rule */
    { 5, FTC_EXTRACT_ANSWER_TEXT, " (C) fish.", "C" },
    { 5, FTC_EXTRACT_ANSWER_TEXT, " \\boxed{E}", "E" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FtcAnswerFormat f = { FTC_ANSWER_CHOICE, cases[i].n_choices, 0.0 };
      g_autofree char *got = ftc_answer_extract (&f, cases[i].text, cases[i].mode);
      if (g_strcmp0 (got, cases[i].expected) != 0)
        g_error ("%s: extract(%s) = %s, expected %s", ftc_extract_mode_to_string (cases[i].mode), cases[i].text,
                 got ? got : "NULL", cases[i].expected ? cases[i].expected : "NULL");
    }
}

/* Random bytes from a LaTeX-heavy alphabet: no crash, valid UTF-8 out, an answer equal to itself. */
static void
test_random_inputs (void)
{
  static const char alphabet[] = "\\{}()[]^_$0123456789.,-+*/= xabfracsqrtboxedpi!|&";
  FtcAnswerFormat math = { FTC_ANSWER_MATH, 0, 0.0 };

  for (int round = 0; round < 3000; round++)
    {
      int len = g_test_rand_int_range (0, 80);
      g_autofree char *text = g_malloc (len + 1);
      g_autofree char *got = NULL;
      g_autofree char *normal = NULL;

      for (int i = 0; i < len; i++)
        text[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      text[len] = '\0';
      got = ftc_answer_extract (&math, text, FTC_EXTRACT_COMPLETION);
      normal = ftc_math_normalize (text);
      g_assert_true (g_utf8_validate (normal, -1, NULL));
      if (got != NULL && *got != '\0')
        {
          g_autofree char *n = ftc_math_normalize (got);
          g_assert_true (g_utf8_validate (got, -1, NULL));
          /* an answer is its own equal unless it normalises to nothing */
          if (*n != '\0')
            g_assert_true (ftc_math_answer_equal (got, got));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/math-answer/extract", test_extract);
  g_test_add_func ("/math-answer/normalize", test_normalize);
  g_test_add_func ("/math-answer/expr-eval", test_expr_eval);
  g_test_add_func ("/math-answer/expr-refused", test_expr_refused);
  g_test_add_func ("/math-answer/expr-equal", test_expr_equal);
  g_test_add_func ("/math-answer/pairs-table", test_pairs_table);
  g_test_add_func ("/math-answer/modes", test_math_modes);
  g_test_add_func ("/math-answer/choice-labels", test_choice_labels);
  g_test_add_func ("/math-answer/random-inputs", test_random_inputs);
  return g_test_run ();
}
