/* ftc-synthetic.c: the synthetic task families, generated from a seed with ftcot's own PRNG. */
#include "core/tasks/ftc-synthetic.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/ftc-json-out.h"
#include "core/tasks/ftc-task-registry.h"

#define MAX_SAMPLES 10000000

/* First names for people and words; all end in a lower-case ASCII letter. */
static const char *const names[] = {
  "Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alan", "Albert", "Alex", "Alice", "Amber", "Amir", "Amy",
  "Andre", "Angel", "Anita", "Ann", "Arthur", "Beth", "Bill", "Bobby", "Brenda", "Brian", "Bruce", "Carl",
  "Carla", "Carmen", "Cecil", "Chad", "Chen", "Chris", "Clara", "Colin", "Craig", "Dan", "Daniel", "Darius",
  "Dennis", "Diana", "Dora", "Douglas", "Elena", "Eli", "Elliot", "Emma", "Eric", "Ethan", "Eva", "Felix",
  "Fiona", "Frank", "Gabriel", "Gail", "George", "Gina", "Grace", "Greg", "Hannah", "Hector", "Helen", "Henry",
  "Hugo", "Ian", "Ines", "Irene", "Isaac", "Ivan", "Jack", "Jamal", "Jane", "Jasmine", "Jeff", "Jen", "Jorge",
  "Joy", "Julia", "Karen", "Kate", "Kevin", "Kim", "Lara", "Leon", "Liam", "Linda", "Lucas", "Luis", "Maria",
  "Mark", "Maya", "Mei", "Miguel", "Mohamed", "Nadia", "Nina", "Noel", "Nora", "Olga", "Omar", "Oscar", "Pablo",
  "Paul", "Pedro", "Priya", "Rachel", "Raj", "Ralph", "Rosa", "Ryan", "Sam", "Sara", "Sean", "Sofia", "Tariq",
  "Tina", "Tom", "Uma", "Victor", "Wendy", "Xavier", "Yusuf", "Zoe",
};

static const char *const players[] = { "Alice", "Bob", "Claire", "Dave", "Eve", "Fred", "Gertrude" };
static const char *const ball_colors[] = {
  "red", "orange", "yellow", "green", "blue", "purple", "pink", "white", "black", "brown", "gray",
};
static const char *const partners[] = {
  "Sam", "Helga", "Karl", "Rodrigo", "Patrick", "Izzi", "Melissa", "Jamie", "Lola", "Ophelia", "Ximena",
};
static const char *const items[] = {
  "apples", "marbles", "stickers", "books", "pencils", "cookies", "stamps", "cards", "shells", "balloons",
};

typedef struct {
  const char *key;
  const char *family;
  const char *size_name;
  guint default_size;
} Family;

static const Family families[] = {
  { "synthetic_coin_flip", "coin_flip", "people", 4 },
  { "synthetic_last_letters", "last_letters", "words", 4 },
  { "synthetic_shuffled_objects", "shuffled_objects", "objects", 3 },
  { "synthetic_arithmetic", "arithmetic", "steps", 3 },
};

static const Family *
family_lookup (const char *key)
{
  for (guint i = 0; key != NULL && i < G_N_ELEMENTS (families); i++)
    if (strcmp (families[i].key, key) == 0)
      return &families[i];
  return NULL;
}

gboolean
ftc_synthetic_is_known (const char *key)
{
  return family_lookup (key) != NULL;
}

guint
ftc_synthetic_default_size (const char *key)
{
  const Family *f = family_lookup (key);

  return f != NULL ? f->default_size : 0;
}

const char *
ftc_synthetic_size_name (const char *key)
{
  const Family *f = family_lookup (key);

  return f != NULL ? f->size_name : NULL;
}

/* k distinct picks from [0, n) in draw order (k <= n) */
static void
pick_distinct (guint64 *rng, guint n, guint k, guint *out)
{
  g_autofree guint *pool = g_new (guint, n);

  for (guint i = 0; i < n; i++)
    pool[i] = i;
  for (guint i = 0; i < k; i++)
    {
      guint j = i + ftc_rand_below (rng, n - i);
      guint t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      out[i] = pool[i];
    }
}

typedef struct {
  char *question;
  char *answer;
  char **choices;
  char *steps_json;
} Generated;

static char *
finish_json (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  return ftc_json_to_compact (root);
}

static void
add_facts (JsonBuilder *b, GPtrArray *facts)
{
  json_builder_set_member_name (b, "facts");
  json_builder_begin_array (b);
  for (guint i = 0; i < facts->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (facts, i));
  json_builder_end_array (b);
}

static void
gen_coin_flip (guint64 *rng, guint people, Generated *g)
{
  g_autofree guint *who = g_new (guint, people);
  g_autoptr (GString) q = g_string_new ("A coin is heads up.");
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gboolean heads = TRUE;
  guint flips = 0;

  pick_distinct (rng, G_N_ELEMENTS (names), people, who);
  g_ptr_array_add (facts, g_strdup ("The coin starts heads up."));
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, "coin_flip");
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < people; i++)
    {
      const char *p = names[who[i]];
      gboolean flip = ftc_rand_below (rng, 2) == 1;

      if (flip)
        {
          heads = !heads;
          flips++;
          g_string_append_printf (q, " %s flips the coin.", p);
          g_ptr_array_add (facts, g_strdup_printf ("%s flips the coin, so it is now %s up.", p,
                                                   heads ? "heads" : "tails"));
        }
      else
        {
          g_string_append_printf (q, " %s does not flip the coin.", p);
          g_ptr_array_add (facts, g_strdup_printf ("%s does not flip the coin, so it is still %s up.", p,
                                                   heads ? "heads" : "tails"));
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "person");
      json_builder_add_string_value (b, p);
      json_builder_set_member_name (b, "flips");
      json_builder_add_boolean_value (b, flip);
      json_builder_set_member_name (b, "heads_up");
      json_builder_add_boolean_value (b, heads);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  g_string_append (q, " Is the coin still heads up? Note that \"flip\" here means \"reverse\".");
  g->answer = g_strdup (heads ? "yes" : "no");
  g_ptr_array_add (facts, g_strdup_printf ("The coin was flipped %u time%s, so it is %s up. So the answer is %s.",
                                           flips, flips == 1 ? "" : "s", heads ? "heads" : "tails", g->answer));
  add_facts (b, facts);
  json_builder_set_member_name (b, "flips");
  json_builder_add_int_value (b, flips);
  json_builder_set_member_name (b, "answer");
  json_builder_add_string_value (b, g->answer);
  json_builder_end_object (b);
  g->question = g_string_free (g_steal_pointer (&q), FALSE);
  g->steps_json = finish_json (b);
}

static void
gen_last_letters (guint64 *rng, guint words, Generated *g)
{
  g_autofree guint *who = g_new (guint, words);
  g_autoptr (GString) list = g_string_new (NULL);
  g_autoptr (GString) answer = g_string_new (NULL);
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  pick_distinct (rng, G_N_ELEMENTS (names), words, who);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, "last_letters");
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < words; i++)
    {
      const char *w = names[who[i]];
      char letter[2] = { w[strlen (w) - 1], 0 };

      if (i > 0)
        g_string_append_c (list, ' ');
      g_string_append (list, w);
      g_string_append (answer, letter);
      g_ptr_array_add (facts, g_strdup_printf ("The last letter of \"%s\" is \"%s\".", w, letter));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "word");
      json_builder_add_string_value (b, w);
      json_builder_set_member_name (b, "letter");
      json_builder_add_string_value (b, letter);
      json_builder_set_member_name (b, "so_far");
      json_builder_add_string_value (b, answer->str);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  g_ptr_array_add (facts, g_strdup_printf ("Concatenating them is \"%s\". So the answer is %s.", answer->str,
                                           answer->str));
  add_facts (b, facts);
  json_builder_set_member_name (b, "answer");
  json_builder_add_string_value (b, answer->str);
  json_builder_end_object (b);
  g->question = g_strdup_printf ("Take the last letters of each words in \"%s\" and concatenate them.", list->str);
  g->answer = g_string_free (g_steal_pointer (&answer), FALSE);
  g->steps_json = finish_json (b);
}

/* "Alice, Bob, and Claire" */
static void
append_people (GString *s, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (s, n == 2 ? " " : ", ");
      if (i == n - 1 && n > 1)
        g_string_append (s, "and ");
      g_string_append (s, players[i]);
    }
}

static void
gen_shuffled_objects (guint64 *rng, guint n, Generated *g)
{
  gboolean dance = ftc_rand_below (rng, 2) == 1;
  const char *const *pool = dance ? partners : ball_colors;
  guint pool_n = dance ? G_N_ELEMENTS (partners) : G_N_ELEMENTS (ball_colors);
  g_autofree guint *obj = g_new (guint, n);
  g_autofree char **objects = g_new0 (char *, n + 1);
  g_autofree int *holding = g_new (int, n);    /* person -> object index */
  g_autoptr (GString) q = g_string_new (NULL);
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint target;
  char letter[2] = { 0, 0 };

  pick_distinct (rng, pool_n, n, obj);
  for (guint i = 0; i < n; i++)
    {
      objects[i] = dance ? g_strdup (pool[obj[i]]) : g_strdup_printf ("%s ball", pool[obj[i]]);
      holding[i] = i;
    }

  append_people (q, n);
  g_string_append (q, dance ? " are dancers at a square dance. At the start of a song, they each have a partner: "
                            : " are playing a game. At the start of the game, they are each holding a ball: ");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (q, i == n - 1 ? ", and " : ", ");
      g_string_append_printf (q, dance ? "%s is dancing with %s" : "%s has a %s", players[i], objects[i]);
    }
  g_string_append (q, dance ? ". \n\nThroughout the song, the dancers often trade partners."
                            : ". \n\nAs the game progresses, pairs of players trade balls.");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, "shuffled_objects");
  json_builder_set_member_name (b, "initial");
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_set_member_name (b, players[i]);
      json_builder_add_string_value (b, objects[i]);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  /* as many swaps as people, as in BIG-bench */
  for (guint s = 0; s < n; s++)
    {
      guint pair[2];
      int t;

      pick_distinct (rng, n, 2, pair);
      g_string_append_printf (q, " %s, %s and %s %s.", s == 0 ? "First" : s == n - 1 ? "Finally" : "Then",
                              players[pair[0]], players[pair[1]], dance ? "switch partners" : "swap balls");
      t = holding[pair[0]];
      holding[pair[0]] = holding[pair[1]];
      holding[pair[1]] = t;
      g_ptr_array_add (facts, g_strdup_printf (dance ? "%s and %s switch partners, so %s is dancing with %s and %s "
                                                       "is dancing with %s."
                                                     : "%s and %s swap balls, so %s has the %s and %s has the %s.",
                                               players[pair[0]], players[pair[1]], players[pair[0]],
                                               objects[holding[pair[0]]], players[pair[1]],
                                               objects[holding[pair[1]]]));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "swap");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, players[pair[0]]);
      json_builder_add_string_value (b, players[pair[1]]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "holding");
      json_builder_begin_object (b);
      for (guint i = 0; i < n; i++)
        {
          json_builder_set_member_name (b, players[i]);
          json_builder_add_string_value (b, objects[holding[i]]);
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  target = ftc_rand_below (rng, n);
  letter[0] = 'A' + holding[target];
  g_string_append_printf (q, dance ? " At the end of the dance, %s is dancing with \nWhich choice is true ? Answer Choices:"
                                   : " At the end of the game, %s has the \nWhich choice is true ? Answer Choices:",
                          players[target]);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (q, " (%c) %s.", 'A' + i, objects[i]);
  g_ptr_array_add (facts, g_strdup_printf (dance ? "At the end of the dance, %s is dancing with %s, which is choice "
                                                   "(%s). So the answer is %s."
                                                 : "At the end of the game, %s has the %s, which is choice (%s). "
                                                   "So the answer is %s.",
                                           players[target], objects[holding[target]], letter, letter));
  add_facts (b, facts);
  json_builder_set_member_name (b, "target");
  json_builder_add_string_value (b, players[target]);
  json_builder_set_member_name (b, "final");
  json_builder_add_string_value (b, objects[holding[target]]);
  json_builder_set_member_name (b, "answer");
  json_builder_add_string_value (b, letter);
  json_builder_end_object (b);

  g->question = g_string_free (g_steal_pointer (&q), FALSE);
  g->answer = g_strdup (letter);
  g->choices = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    g->choices[i] = g_strconcat (objects[i], ".", NULL);
  g_strfreev (g_steal_pointer (&objects));
  g->steps_json = finish_json (b);
}

static void
gen_arithmetic (guint64 *rng, guint steps, Generated *g)
{
  guint who[2];
  const char *item = items[ftc_rand_below (rng, G_N_ELEMENTS (items))];
  const char *p, *friend_name;
  /* Small numbers, as in MultiArith: every step is a fact from a table of under two thousand sums, differences
   * and products, which a tiny student sees often enough in a few thousand questions to learn. */
  gint64 value = 2 + ftc_rand_below (rng, 19);
  g_autoptr (GString) q = g_string_new (NULL);
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  pick_distinct (rng, G_N_ELEMENTS (names), 2, who);
  p = names[who[0]];
  friend_name = names[who[1]];
  g_string_append_printf (q, "%s has %" G_GINT64_FORMAT " %s.", p, value, item);
  g_ptr_array_add (facts, g_strdup_printf ("%s starts with %" G_GINT64_FORMAT " %s.", p, value, item));
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, "arithmetic");
  json_builder_set_member_name (b, "start");
  json_builder_add_int_value (b, value);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint s = 0; s < steps; s++)
    {
      gint64 before = value, operand = 0;
      char op;
      guint kind = ftc_rand_below (rng, 4);

      /* keep every intermediate value a small non-negative integer */
      if (kind == 1 && before < 2)
        kind = 0;
      if (kind == 2 && before > 30)
        kind = 1;
      if (kind == 3)
        {
          guint divisors[5], nd = 0;
          for (guint d = 2; d <= 6; d++)
            if (before >= d && before % d == 0)
              divisors[nd++] = d;
          if (nd == 0)
            kind = before >= 2 ? 1 : 0;
          else
            operand = divisors[ftc_rand_below (rng, nd)];
        }
      switch (kind)
        {
        case 0:
          op = '+';
          operand = 1 + ftc_rand_below (rng, 9);
          value = before + operand;
          g_string_append_printf (q, " %s buys %" G_GINT64_FORMAT " more %s.", p, operand, item);
          g_ptr_array_add (facts, g_strdup_printf ("%s buys %" G_GINT64_FORMAT " more, so %s has %" G_GINT64_FORMAT
                                                   " + %" G_GINT64_FORMAT " = %" G_GINT64_FORMAT " %s.", p, operand, p,
                                                   before, operand, value, item));
          break;
        case 1:
          op = '-';
          operand = 1 + ftc_rand_below (rng, MIN (before - 1, 9));
          value = before - operand;
          g_string_append_printf (q, " %s gives %" G_GINT64_FORMAT " %s to %s.", p, operand, item, friend_name);
          g_ptr_array_add (facts, g_strdup_printf ("%s gives away %" G_GINT64_FORMAT ", so %s has %" G_GINT64_FORMAT
                                                   " - %" G_GINT64_FORMAT " = %" G_GINT64_FORMAT " %s.", p, operand, p,
                                                   before, operand, value, item));
          break;
        case 2:
          op = '*';
          operand = 2 + ftc_rand_below (rng, 2);
          value = before * operand;
          g_string_append_printf (q, " %s %s the number of %s.", p, operand == 2 ? "doubles" : "triples", item);
          g_ptr_array_add (facts, g_strdup_printf ("%s %s them, so %s has %" G_GINT64_FORMAT " * %" G_GINT64_FORMAT
                                                   " = %" G_GINT64_FORMAT " %s.", p,
                                                   operand == 2 ? "doubles" : "triples", p, before, operand, value,
                                                   item));
          break;
        default:
          op = '/';
          value = before / operand;
          g_string_append_printf (q, " %s splits the %s equally into %" G_GINT64_FORMAT " boxes and keeps one box.",
                                  p, item, operand);
          g_ptr_array_add (facts, g_strdup_printf ("%s keeps one of %" G_GINT64_FORMAT " equal boxes, so %s has %"
                                                   G_GINT64_FORMAT " / %" G_GINT64_FORMAT " = %" G_GINT64_FORMAT " %s.",
                                                   p, operand, p, before, operand, value, item));
          break;
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "op");
      json_builder_add_string_value (b, (char[]) { op, 0 });
      json_builder_set_member_name (b, "operand");
      json_builder_add_int_value (b, operand);
      json_builder_set_member_name (b, "before");
      json_builder_add_int_value (b, before);
      json_builder_set_member_name (b, "after");
      json_builder_add_int_value (b, value);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  g_string_append_printf (q, " How many %s does %s have now?", item, p);
  g->answer = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  g_ptr_array_add (facts, g_strdup_printf ("So the answer is %s.", g->answer));
  add_facts (b, facts);
  json_builder_set_member_name (b, "answer");
  json_builder_add_string_value (b, g->answer);
  json_builder_end_object (b);
  g->question = g_string_free (g_steal_pointer (&q), FALSE);
  g->steps_json = finish_json (b);
}

FtcTask *
ftc_synthetic_generate (const char *key, guint n, guint64 seed, guint size, GError **error)
{
  const Family *family = family_lookup (key);
  const FtcTaskInfo *info = ftc_task_info_lookup (key);
  g_autoptr (FtcTask) task = NULL;
  g_autoptr (GHashTable) seen = NULL;
  guint64 rng;

  if (family == NULL || info == NULL)
    {
      const char *suggestion = ftc_task_key_suggest (key);
      if (suggestion != NULL)
        g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown synthetic task '%s'; did you mean '%s'?",
                     key, suggestion);
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown synthetic task '%s'", key);
      return NULL;
    }
  if (size == 0)
    size = family->default_size;
  if (n == 0 || n > MAX_SAMPLES)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: the number of samples must be 1..%d, not %u", key,
                   MAX_SAMPLES, n);
      return NULL;
    }
  if (strcmp (family->family, "shuffled_objects") == 0 ? (size != 3 && size != 5 && size != 7)
      : strcmp (family->family, "arithmetic") == 0 ? (size < 1 || size > 20)
      : (size < 1 || size > 64))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %u %s is out of range (%s)", key, size,
                   family->size_name,
                   strcmp (family->family, "shuffled_objects") == 0 ? "3, 5 or 7"
                   : strcmp (family->family, "arithmetic") == 0 ? "1..20" : "1..64");
      return NULL;
    }

  task = ftc_task_new (key, info->title, info->answer_type);
  if (strcmp (family->family, "shuffled_objects") == 0)
    {
      task->n_choices = size;
      task->answer_trigger = g_strdup_printf ("Therefore, among A through %c, the answer is", 'A' + size - 1);
    }
  else
    task->answer_trigger = g_strdup (info->answer_trigger);

  /* the family and size select a stream, so sizes do not share questions */
  rng = seed ^ (G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) * (size + 1))
        ^ (G_GUINT64_CONSTANT (0xd1b54a32d192ed03) * (guint64) (family - families + 1));
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < n; i++)
    {
      Generated g = { 0 };
      FtcSample *s;

      /* avoid repeated questions while the question space allows it */
      for (int attempt = 0; attempt < 20; attempt++)
        {
          if (attempt > 0)
            {
              g_free (g.question);
              g_free (g.answer);
              g_strfreev (g.choices);
              g_free (g.steps_json);
              memset (&g, 0, sizeof g);
            }
          if (strcmp (family->family, "coin_flip") == 0)
            gen_coin_flip (&rng, size, &g);
          else if (strcmp (family->family, "last_letters") == 0)
            gen_last_letters (&rng, size, &g);
          else if (strcmp (family->family, "shuffled_objects") == 0)
            gen_shuffled_objects (&rng, size, &g);
          else
            gen_arithmetic (&rng, size, &g);
          if (!g_hash_table_contains (seen, g.question))
            break;
        }
      g_hash_table_add (seen, g_strdup (g.question));
      s = ftc_sample_new ();
      s->index = i;
      s->id = g_strdup_printf ("%s-%u", key, i);
      s->question = g.question;
      s->answer = g.answer;
      s->answer_type = info->answer_type;
      s->choices = g.choices;
      s->steps_json = g.steps_json;
      ftc_task_add_sample (task, s);
    }
  ftc_task_split_seeded (task, 0.7, seed);
  return g_steal_pointer (&task);
}
