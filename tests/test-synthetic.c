/* test-synthetic: the seeded generators are deterministic, correct (answers recomputed from the question
 * text alone), and their steps describe a correct solution. */
#include "core/ftc-error.h"
#include "core/tasks/ftc-synthetic.h"
#include "tests/ftc-test-util.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

static FtcTask *
generate (const char *key, guint n, guint64 seed, guint size)
{
  g_autoptr (GError) error = NULL;
  FtcTask *task = ftc_synthetic_generate (key, n, seed, size, &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_assert_cmpuint (task->samples->len, ==, n);
  return task;
}

#define SAMPLE(task, i) ((FtcSample *) g_ptr_array_index ((task)->samples, (i)))

/* Pinned outputs: the same on every machine, forever (changing a generator changes these on purpose). */
static void
test_pinned (void)
{
  g_autoptr (FtcTask) coin = generate ("synthetic_coin_flip", 2, 42, 0);
  g_autoptr (FtcTask) letters = generate ("synthetic_last_letters", 2, 42, 0);
  g_autoptr (FtcTask) objects = generate ("synthetic_shuffled_objects", 2, 42, 3);
  g_autoptr (FtcTask) arith = generate ("synthetic_arithmetic", 2, 42, 3);

  g_assert_cmpstr (SAMPLE (coin, 0)->question, ==,
                   "A coin is heads up. Anita does not flip the coin. Amy flips the coin. Sean flips the coin. "
                   "Tariq does not flip the coin. Is the coin still heads up? Note that \"flip\" here means \"reverse\".");
  g_assert_cmpstr (SAMPLE (coin, 0)->answer, ==, "yes");
  g_assert_cmpstr (SAMPLE (letters, 0)->question, ==,
                   "Take the last letters of each words in \"Colin Tariq Bruce Greg\" and concatenate them.");
  g_assert_cmpstr (SAMPLE (letters, 0)->answer, ==, "nqeg");
  g_assert_cmpstr (SAMPLE (letters, 1)->answer, ==, "mola");
  g_assert_cmpstr (SAMPLE (objects, 1)->question, ==,
                   "Alice, Bob, and Claire are dancers at a square dance. At the start of a song, they each have a "
                   "partner: Alice is dancing with Lola, Bob is dancing with Ximena, and Claire is dancing with Rodrigo. "
                   "\n\nThroughout the song, the dancers often trade partners. First, Alice and Bob switch partners. "
                   "Then, Bob and Claire switch partners. Finally, Alice and Bob switch partners. At the end of the "
                   "dance, Claire is dancing with \nWhich choice is true ? Answer Choices: (A) Lola. (B) Ximena. "
                   "(C) Rodrigo.");
  g_assert_cmpstr (SAMPLE (objects, 1)->answer, ==, "A");
  g_assert_cmpstr (SAMPLE (arith, 1)->question, ==,
                   "Ivan has 20 books. Ivan buys 2 more books. Ivan gives 2 books to Gabriel. Ivan triples the number "
                   "of books. How many books does Ivan have now?");
  g_assert_cmpstr (SAMPLE (arith, 1)->answer, ==, "60");
  g_assert_cmpstr (objects->answer_trigger, ==, "Therefore, among A through C, the answer is");
}

/* coin flip: heads up iff an even number of people flip */
static void
check_coin_flip (FtcSample *s, guint people)
{
  guint flips = 0, nots = 0;

  for (const char *p = s->question; (p = strstr (p, " flip")) != NULL; p++)
    {
      if (g_str_has_prefix (p, " flips the coin."))
        flips++;
      else if (g_str_has_prefix (p, " flip the coin."))
        nots++;
    }
  g_assert_cmpuint (flips + nots, ==, people);
  g_assert_cmpstr (s->answer, ==, flips % 2 == 0 ? "yes" : "no");
}

static void
check_last_letters (FtcSample *s, guint words)
{
  const char *open = strchr (s->question, '"');
  const char *close = open != NULL ? strchr (open + 1, '"') : NULL;
  g_autofree char *list = NULL;
  g_auto (GStrv) parts = NULL;
  g_autoptr (GString) want = g_string_new (NULL);

  g_assert_nonnull (close);
  list = g_strndup (open + 1, close - open - 1);
  parts = g_strsplit (list, " ", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, words);
  for (guint i = 0; parts[i] != NULL; i++)
    g_string_append_c (want, parts[i][strlen (parts[i]) - 1]);
  g_assert_cmpstr (s->answer, ==, want->str);
}

/* replay the swaps written in the question */
static void
check_shuffled (FtcSample *s, guint n)
{
  static const char *const people[] = { "Alice", "Bob", "Claire", "Dave", "Eve", "Fred", "Gertrude" };
  int holding[7];
  guint swaps = 0;
  const char *p = strstr (s->question, "\n\n");
  const char *end;
  const char *target;
  int who = -1;

  for (guint i = 0; i < n; i++)
    holding[i] = i;
  g_assert_nonnull (p);
  end = strstr (p, " At the end of the");
  g_assert_nonnull (end);
  /* sentences "First, X and Y swap balls." / "Then, X and Y switch partners." */
  for (const char *q = p; (q = strstr (q, ", ")) != NULL && q < end; q++)
    {
      int a = -1, b = -1;
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *pa = g_strdup_printf (", %s and ", people[i]);
          if (g_str_has_prefix (q, pa))
            {
              a = i;
              for (guint j = 0; j < n; j++)
                {
                  g_autofree char *pb = g_strdup_printf ("%s%s s", pa, people[j]);
                  if (g_str_has_prefix (q, pb))
                    b = j;
                }
            }
        }
      if (a >= 0 && b >= 0)
        {
          int t = holding[a];
          holding[a] = holding[b];
          holding[b] = t;
          swaps++;
        }
    }
  g_assert_cmpuint (swaps, ==, n);
  target = end + strlen (" At the end of the ");
  target = strstr (target, ", ") + 2;
  for (guint i = 0; i < n; i++)
    if (g_str_has_prefix (target, people[i]) && target[strlen (people[i])] == ' ')
      who = i;
  g_assert_cmpint (who, >=, 0);
  g_assert_cmpint (s->answer[0], ==, 'A' + holding[who]);
  g_assert_cmpuint (g_strv_length (s->choices), ==, n);
  {
    g_autofree char *last = g_strdup_printf ("(%c) %s", 'A' + n - 1, s->choices[n - 1]);
    g_assert_true (g_str_has_suffix (s->question, last));
  }
}

/* evaluate the story: "X has N items." then one operation per sentence */
static void
check_arithmetic (FtcSample *s, guint steps)
{
  g_auto (GStrv) sentences = g_strsplit (s->question, ". ", -1);
  gint64 value = -1;
  guint ops = 0;

  for (guint i = 0; sentences[i] != NULL; i++)
    {
      g_auto (GStrv) w = g_strsplit (sentences[i], " ", -1);
      guint nw = g_strv_length (w);

      if (i == 0)
        {
          g_assert_cmpstr (w[1], ==, "has");
          value = g_ascii_strtoll (w[2], NULL, 10);
        }
      else if (nw > 2 && strcmp (w[1], "buys") == 0)
        value += g_ascii_strtoll (w[2], NULL, 10), ops++;
      else if (nw > 2 && strcmp (w[1], "gives") == 0)
        {
          g_assert_cmpint (g_ascii_strtoll (w[2], NULL, 10), <=, 9);
          value -= g_ascii_strtoll (w[2], NULL, 10), ops++;
        }
      else if (nw > 2 && strcmp (w[1], "doubles") == 0)
        value *= 2, ops++;
      else if (nw > 2 && strcmp (w[1], "triples") == 0)
        value *= 3, ops++;
      else if (nw > 2 && strcmp (w[1], "splits") == 0)
        {
          gint64 k = g_ascii_strtoll (w[6], NULL, 10);
          g_assert_cmpint (value % k, ==, 0);
          value /= k;
          ops++;
        }
      g_assert_cmpint (value, >=, 0);
      /* small numbers: a start up to 20, additions and gifts up to 9, products only of values up to 30 */
      g_assert_cmpint (value, <=, 90 + 9 * (gint64) steps);
    }
  g_assert_cmpuint (ops, ==, steps);
  g_assert_cmpint (g_ascii_strtoll (s->answer, NULL, 10), ==, value);
}

/* steps_json: valid, with facts that end in the answer */
static void
check_steps (FtcSample *s, const char *family, guint n_steps)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root;
  JsonArray *facts;
  const char *last;

  g_assert_nonnull (s->steps_json);
  json_parser_load_from_data (parser, s->steps_json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "family"), ==, family);
  g_assert_cmpstr (json_object_get_string_member (root, "answer"), ==, s->answer);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "steps")), ==, n_steps);
  facts = json_object_get_array_member (root, "facts");
  g_assert_cmpuint (json_array_get_length (facts), >=, n_steps);
  last = json_array_get_string_element (facts, json_array_get_length (facts) - 1);
  {
    g_autofree char *tail = g_strdup_printf ("So the answer is %s.", s->answer);
    g_assert_true (g_str_has_suffix (last, tail));
  }
  if (strcmp (family, "arithmetic") == 0)
    {
      JsonArray *steps = json_object_get_array_member (root, "steps");
      gint64 v = json_object_get_int_member (root, "start");
      for (guint i = 0; i < json_array_get_length (steps); i++)
        {
          JsonObject *st = json_array_get_object_element (steps, i);
          const char *op = json_object_get_string_member (st, "op");
          gint64 x = json_object_get_int_member (st, "operand");
          g_assert_cmpint (json_object_get_int_member (st, "before"), ==, v);
          v = op[0] == '+' ? v + x : op[0] == '-' ? v - x : op[0] == '*' ? v * x : v / x;
          g_assert_cmpint (json_object_get_int_member (st, "after"), ==, v);
        }
      g_assert_cmpint (v, ==, g_ascii_strtoll (s->answer, NULL, 10));
    }
}

static void
test_correct (void)
{
  static const struct { const char *key, *family; guint size; } cases[] = {
    { "synthetic_coin_flip", "coin_flip", 1 }, { "synthetic_coin_flip", "coin_flip", 4 },
    { "synthetic_coin_flip", "coin_flip", 9 },
    { "synthetic_last_letters", "last_letters", 2 }, { "synthetic_last_letters", "last_letters", 6 },
    { "synthetic_shuffled_objects", "shuffled_objects", 3 }, { "synthetic_shuffled_objects", "shuffled_objects", 5 },
    { "synthetic_shuffled_objects", "shuffled_objects", 7 },
    { "synthetic_arithmetic", "arithmetic", 1 }, { "synthetic_arithmetic", "arithmetic", 5 },
    { "synthetic_arithmetic", "arithmetic", 12 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (FtcTask) task = generate (cases[c].key, 300, 1000 + c, cases[c].size);
      guint yes = 0;
      guint letters[7] = { 0 };

      for (guint i = 0; i < task->samples->len; i++)
        {
          FtcSample *s = SAMPLE (task, i);
          g_autofree char *id = g_strdup_printf ("%s-%u", cases[c].key, i);

          g_assert_cmpstr (s->id, ==, id);
          g_assert_cmpint (s->index, ==, (int) i);
          if (strcmp (cases[c].family, "coin_flip") == 0)
            {
              check_coin_flip (s, cases[c].size);
              yes += strcmp (s->answer, "yes") == 0;
            }
          else if (strcmp (cases[c].family, "last_letters") == 0)
            check_last_letters (s, cases[c].size);
          else if (strcmp (cases[c].family, "shuffled_objects") == 0)
            {
              check_shuffled (s, cases[c].size);
              letters[s->answer[0] - 'A']++;
            }
          else
            check_arithmetic (s, cases[c].size);
          check_steps (s, cases[c].family, cases[c].size);
        }
      /* both answers occur in fair proportion (300 samples: 150 +- 5 sigma) */
      if (strcmp (cases[c].family, "coin_flip") == 0)
        {
          g_assert_cmpuint (yes, >, 150 - 45);
          g_assert_cmpuint (yes, <, 150 + 45);
        }
      if (strcmp (cases[c].family, "shuffled_objects") == 0)
        for (guint l = 0; l < cases[c].size; l++)
          g_assert_cmpuint (letters[l], >, 0);
    }
}

static void
test_deterministic (void)
{
  g_autoptr (FtcTask) a = generate ("synthetic_arithmetic", 50, 7, 4);
  g_autoptr (FtcTask) b = generate ("synthetic_arithmetic", 50, 7, 4);
  g_autoptr (FtcTask) other_seed = generate ("synthetic_arithmetic", 50, 8, 4);
  g_autoptr (FtcTask) other_size = generate ("synthetic_arithmetic", 50, 7, 5);
  guint same_seed = 0, same_size = 0;

  for (guint i = 0; i < 50; i++)
    {
      g_assert_cmpstr (SAMPLE (a, i)->question, ==, SAMPLE (b, i)->question);
      g_assert_cmpstr (SAMPLE (a, i)->steps_json, ==, SAMPLE (b, i)->steps_json);
      same_seed += strcmp (SAMPLE (a, i)->question, SAMPLE (other_seed, i)->question) == 0;
      same_size += strcmp (SAMPLE (a, i)->question, SAMPLE (other_size, i)->question) == 0;
    }
  g_assert_cmpuint (same_seed, ==, 0);
  g_assert_cmpuint (same_size, ==, 0);
  g_assert_cmpmem (a->train->data, a->train->len * sizeof (int), b->train->data, b->train->len * sizeof (int));
}

static void
test_split (void)
{
  g_autoptr (FtcTask) a = generate ("synthetic_coin_flip", 1000, 3, 5);
  g_autoptr (FtcTask) b = generate ("synthetic_coin_flip", 1000, 4, 5);
  g_autofree guint8 *seen = g_new0 (guint8, 1000);
  gboolean differs = FALSE;
  g_autoptr (GHashTable) questions = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (a->train->len, ==, 700);
  g_assert_cmpuint (a->test->len, ==, 300);
  g_assert_cmpstr (a->split_name, ==, "seed");
  for (guint i = 0; i < a->train->len; i++)
    seen[g_array_index (a->train, int, i)]++;
  for (guint i = 0; i < a->test->len; i++)
    seen[g_array_index (a->test, int, i)]++;
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpuint (seen[i], ==, 1);
  for (guint i = 0; i < 700; i++)
    differs |= g_array_index (a->train, int, i) != g_array_index (b->train, int, i);
  g_assert_true (differs);
  /* 5 people give 122*121*120*119*118*32 questions: no repeats among 1000 */
  for (guint i = 0; i < 1000; i++)
    g_hash_table_add (questions, SAMPLE (a, i)->question);
  g_assert_cmpuint (g_hash_table_size (questions), ==, 1000);
}

static void
test_errors (void)
{
  static const struct { const char *key; guint n, size; int code; const char *what; } cases[] = {
    { "synthetic_shuffled_objects", 10, 4, FTC_ERROR_INVALID, "3, 5 or 7" },
    { "synthetic_arithmetic", 10, 21, FTC_ERROR_INVALID, "21 steps is out of range" },
    { "synthetic_coin_flip", 10, 65, FTC_ERROR_INVALID, "65 people" },
    { "synthetic_coin_flip", 0, 4, FTC_ERROR_INVALID, "number of samples" },
    { "synthetic_coin_flp", 10, 4, FTC_ERROR_NOT_FOUND, "did you mean 'synthetic_coin_flip'?" },
    { "gsm8k", 10, 4, FTC_ERROR_NOT_FOUND, "unknown synthetic task 'gsm8k'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTask) task = ftc_synthetic_generate (cases[i].key, cases[i].n, 1, cases[i].size, &error);

      g_assert_null (task);
      g_assert_error (error, FTC_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].what) == NULL)
        g_error ("case %u: '%s' lacks '%s'", i, error->message, cases[i].what);
    }
  g_assert_cmpuint (ftc_synthetic_default_size ("synthetic_shuffled_objects"), ==, 3);
  g_assert_cmpstr (ftc_synthetic_size_name ("synthetic_last_letters"), ==, "words");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/synthetic/pinned", test_pinned);
  g_test_add_func ("/synthetic/correct", test_correct);
  g_test_add_func ("/synthetic/deterministic", test_deterministic);
  g_test_add_func ("/synthetic/split", test_split);
  g_test_add_func ("/synthetic/errors", test_errors);
  return g_test_run ();
}
