/* ftcot tasks: list, show, generate, fetch and import tasks.
 *
 *   ftcot tasks [--json]
 *   ftcot tasks show KEY|FILE [--split train|test|all] [--limit N] [--json]
 *   ftcot tasks generate KEY --n N --seed S [--out FILE.jsonl] [--people N|--words N|--objects N|--steps N]
 *   ftcot tasks fetch KEY|--all [--from DIR] [--mirror URL] [--json]
 *   ftcot tasks import FILE [--out FILE.jsonl] [--json]
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "app/ftc-cli.h"
#include "core/tasks/ftc-benchmark.h"
#include "core/tasks/ftc-dataset-fetch.h"
#include "core/tasks/ftc-dataset.h"
#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-read.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/tasks/ftc-task-import.h"
#include "core/tasks/ftc-task-open.h"
#include "core/tasks/ftc-task-registry.h"

#define SUMMARY "Verbs:\n" \
  "  (none)     list the built-in tasks\n" \
  "  show       print a task's samples\n" \
  "  generate   generate a synthetic task\n" \
  "  fetch      download a paper dataset's or benchmark's files (verified) into the data folder\n" \
  "  import     check a JSONL or CSV task file"

static int
fail (const GError *error)
{
  return ftc_cli_error ("tasks", error);
}

/* Counts of an embedded split, without loading any data. */
static void
split_counts (const char *key, guint *train, guint *test)
{
  g_autoptr (GBytes) bytes = ftc_dataset_split_bytes (key, FTC_SPLIT_DEFAULT);
  g_autoptr (JsonObject) obj = NULL;

  *train = *test = 0;
  if (bytes == NULL
      || (obj = ftc_json_parse_object (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), key, NULL)) == NULL)
    return;
  *train = json_array_get_length (json_object_get_array_member (obj, "train"));
  *test = json_array_get_length (json_object_get_array_member (obj, "test"));
}

/* "yes", "test only" (an optional train file missing) or "no" */
static const char *
availability (const char *key)
{
  g_autofree char *dir = ftc_dataset_dir (key);
  guint n;
  const FtcDatasetFile *files = ftc_dataset_files (&n);

  if (!ftc_dataset_available (key, dir, NULL))
    return "no";
  for (guint i = 0; i < n; i++)
    if (strcmp (files[i].key, key) == 0 && files[i].optional)
      {
        g_autofree char *path = g_build_filename (dir, files[i].name, NULL);
        if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
          return "test only";
      }
  return "yes";
}

static int
cmd_list (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  guint n;
  const FtcTaskInfo *tasks;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *data_dir = ftc_dataset_data_dir ();

  if (!ftc_cli_parse ("tasks", "[VERB] [ARGS]", SUMMARY, entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (argc > 1)
    return ftc_cli_usage_error ("tasks", "unknown verb '%s' (show, generate, fetch, import)", argv[1]);

  tasks = ftc_task_registry (&n);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data_dir");
  json_builder_add_string_value (b, data_dir);
  json_builder_set_member_name (b, "tasks");
  json_builder_begin_array (b);
  if (!json)
    g_print ("%-28s %-38s %-7s %7s %13s  %s\n", "KEY", "TITLE", "ANSWER", "SIZE", "TRAIN/TEST", "AVAILABLE");
  for (guint i = 0; i < n; i++)
    {
      const FtcTaskInfo *t = &tasks[i];
      const FtcBenchmarkInfo *bench = ftc_benchmark_lookup (t->key);
      gboolean dataset = t->source != FTC_TASK_SYNTHETIC;
      guint train = 0, test = 0;
      const char *avail = dataset ? availability (t->key) : "generated";

      if (bench != NULL)
        {
          /* the published sizes: ARC's validation set stays out of the counts unless asked for */
          train = bench->train;
          test = bench->test;
        }
      else if (dataset)
        split_counts (t->key, &train, &test);
      if (json)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "key");
          json_builder_add_string_value (b, t->key);
          json_builder_set_member_name (b, "title");
          json_builder_add_string_value (b, t->title);
          json_builder_set_member_name (b, "source");
          json_builder_add_string_value (b, bench != NULL ? "benchmark" : dataset ? "dataset" : "synthetic");
          json_builder_set_member_name (b, "answer_type");
          json_builder_add_string_value (b, ftc_answer_type_to_string (t->answer_type));
          if (dataset)
            {
              json_builder_set_member_name (b, "size");
              json_builder_add_int_value (b, train + test);
              json_builder_set_member_name (b, "train");
              json_builder_add_int_value (b, train);
              json_builder_set_member_name (b, "test");
              json_builder_add_int_value (b, test);
              json_builder_set_member_name (b, "template_split");
              json_builder_add_boolean_value (b, ftc_dataset_split_bytes (t->key, FTC_SPLIT_TEMPLATE) != NULL);
              if (bench != NULL)
                {
                  json_builder_set_member_name (b, "validation");
                  json_builder_add_int_value (b, bench->validation);
                  json_builder_set_member_name (b, "licence");
                  json_builder_add_string_value (b, bench->licence);
                }
            }
          else
            {
              json_builder_set_member_name (b, "size_parameter");
              json_builder_add_string_value (b, ftc_synthetic_size_name (t->key));
            }
          json_builder_set_member_name (b, "available");
          json_builder_add_string_value (b, avail);
          json_builder_end_object (b);
        }
      else
        {
          g_autofree char *size = dataset ? g_strdup_printf ("%u", train + test) : g_strdup ("any");
          g_autofree char *split = dataset ? g_strdup_printf ("%u/%u", train, test) : g_strdup ("70/30 %");
          g_print ("%-28s %-38s %-7s %7s %13s  %s\n", t->key, t->title, ftc_answer_type_to_string (t->answer_type),
                   size, split, avail);
        }
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      ftc_cli_print_json (root);
    }
  else
    g_print ("\nDatasets live in %s (set FTCOT_DATA_DIR to change); install one with 'ftcot tasks fetch KEY'.\n",
             data_dir);
  return FTC_EXIT_OK;
}

static void
add_sample_json (JsonBuilder *b, FtcSample *s, const char *split)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, s->id);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, s->index);
  json_builder_set_member_name (b, "split");
  json_builder_add_string_value (b, split);
  json_builder_set_member_name (b, "question");
  json_builder_add_string_value (b, s->question);
  json_builder_set_member_name (b, "answer");
  json_builder_add_string_value (b, s->answer);
  json_builder_set_member_name (b, "answer_type");
  json_builder_add_string_value (b, ftc_answer_type_to_string (s->answer_type));
  if (s->choices != NULL)
    {
      json_builder_set_member_name (b, "choices");
      json_builder_begin_array (b);
      for (char **c = s->choices; *c != NULL; c++)
        json_builder_add_string_value (b, *c);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
add_task_summary (JsonBuilder *b, FtcTask *task)
{
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, task->key);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, task->title);
  json_builder_set_member_name (b, "answer_type");
  json_builder_add_string_value (b, ftc_answer_type_to_string (task->answer_type));
  json_builder_set_member_name (b, "answer_trigger");
  json_builder_add_string_value (b, task->answer_trigger);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, task->samples->len);
  json_builder_set_member_name (b, "train");
  json_builder_add_int_value (b, task->train->len);
  json_builder_set_member_name (b, "test");
  json_builder_add_int_value (b, task->test->len);
  json_builder_set_member_name (b, "split");
  json_builder_add_string_value (b, task->split_name);
  json_builder_set_member_name (b, "note");
  if (task->note != NULL)
    json_builder_add_string_value (b, task->note);
  else
    json_builder_add_null_value (b);
}

static int
cmd_show (int argc, char **argv)
{
  gboolean json = FALSE;
  char *split = NULL;
  int limit = 10;
  int n = 0, size = 0;
  gint64 seed = 0;
  GOptionEntry entries[] = {
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, "Which samples: train, test or all (default)", "SPLIT" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Print at most N samples (default 10; 0: all)", "N" },
    { "n", 0, 0, G_OPTION_ARG_INT, &n, "Synthetic tasks: number of samples (default 1000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Synthetic tasks: seed (default 0)", "S" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Synthetic tasks: people, words, objects or steps", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autofree char *split_owned = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  FtcTaskOpenOptions options = { 0 };
  int which;   /* 0 train, 1 test, 2 all */
  int printed = 0;
  g_autofree signed char *member = NULL;

  if (!ftc_cli_parse ("tasks show", "KEY|FILE", "Prints a task's samples as the teacher sees them.", entries,
                      &argc, &argv))
    return FTC_EXIT_USAGE;
  split_owned = split;
  if (argc != 2)
    return ftc_cli_usage_error ("tasks show", "give exactly one task key or file");
  if (split == NULL || strcmp (split, "all") == 0)
    which = 2;
  else if (strcmp (split, "train") == 0)
    which = 0;
  else if (strcmp (split, "test") == 0)
    which = 1;
  else
    return ftc_cli_usage_error ("tasks show", "--split must be train, test or all, not '%s'", split);
  if (limit < 0 || n < 0 || size < 0 || seed < 0)
    return ftc_cli_usage_error ("tasks show", "--limit, --n, --size and --seed must not be negative");

  options.n = n;
  options.seed = seed;
  options.size = size;
  task = ftc_task_open (argv[1], &options, &error);
  if (task == NULL)
    return fail (error);

  member = g_new0 (signed char, MAX (task->samples->len, 1));
  for (guint i = 0; i < task->samples->len; i++)
    member[i] = -1;
  for (guint i = 0; i < task->train->len; i++)
    member[g_array_index (task->train, int, i)] = 0;
  for (guint i = 0; i < task->test->len; i++)
    member[g_array_index (task->test, int, i)] = 1;

  json_builder_begin_object (b);
  add_task_summary (b, task);
  json_builder_set_member_name (b, "samples");
  json_builder_begin_array (b);
  if (!json)
    {
      g_print ("%s (%s): %u samples, %u train / %u test (%s split), answer %s\n", task->title, task->key,
               task->samples->len, task->train->len, task->test->len, task->split_name,
               ftc_answer_type_to_string (task->answer_type));
      if (task->note != NULL)
        g_print ("note: %s\n", task->note);
    }
  for (guint i = 0; i < task->samples->len && (limit == 0 || printed < limit); i++)
    {
      FtcSample *s = g_ptr_array_index (task->samples, i);
      const char *in = member[i] == 0 ? "train" : member[i] == 1 ? "test" : "none";

      if (which != 2 && member[i] != which)
        continue;
      printed++;
      if (json)
        add_sample_json (b, s, in);
      else
        g_print ("\n[%s] %s\nQ: %s\nGold: %s\n", s->id, in, s->question, s->answer);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      ftc_cli_print_json (root);
    }
  return FTC_EXIT_OK;
}

static int
cmd_generate (int argc, char **argv)
{
  gboolean json = FALSE;
  int n = 0, people = 0, words = 0, objects = 0, steps = 0;
  gint64 seed = -1;
  char *out = NULL;
  GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT, &n, "Number of samples (required)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed (required)", "S" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write JSONL here (default: standard output)", "FILE.jsonl" },
    { "people", 0, 0, G_OPTION_ARG_INT, &people, "synthetic_coin_flip: people per question (default 4)", "N" },
    { "words", 0, 0, G_OPTION_ARG_INT, &words, "synthetic_last_letters: words per question (default 4)", "N" },
    { "objects", 0, 0, G_OPTION_ARG_INT, &objects, "synthetic_shuffled_objects: 3, 5 or 7 (default 3)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "synthetic_arithmetic: operations (default 3)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON summary (with --out)", NULL },
    { NULL }
  };
  g_autofree char *out_owned = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = NULL;
  const char *key, *size_name;
  guint size = 0;
  int given = 0;

  if (!ftc_cli_parse ("tasks generate", "KEY", "Generates a synthetic task as JSONL (split included).", entries,
                      &argc, &argv))
    return FTC_EXIT_USAGE;
  out_owned = out;
  if (argc != 2)
    return ftc_cli_usage_error ("tasks generate", "give exactly one synthetic task key");
  key = argv[1];
  if (!ftc_synthetic_is_known (key))
    {
      const FtcTaskInfo *info = ftc_task_info_lookup (key);
      const char *suggestion = ftc_task_key_suggest (key);
      if (info != NULL)
        return ftc_cli_usage_error ("tasks generate", "'%s' is a dataset, not a synthetic task "
                                    "(synthetic_coin_flip, synthetic_last_letters, synthetic_shuffled_objects, "
                                    "synthetic_arithmetic)", key);
      if (suggestion != NULL)
        return ftc_cli_usage_error ("tasks generate", "unknown task '%s'; did you mean '%s'?", key, suggestion);
      return ftc_cli_usage_error ("tasks generate", "unknown task '%s'", key);
    }
  if (n <= 0)
    return ftc_cli_usage_error ("tasks generate", "--n N is required and must be positive");
  if (seed < 0)
    return ftc_cli_usage_error ("tasks generate", "--seed S is required and must not be negative");
  if (json && out == NULL)
    return ftc_cli_usage_error ("tasks generate", "--json needs --out (the samples go to standard output otherwise)");

  size_name = ftc_synthetic_size_name (key);
  {
    const struct { const char *name; int value; } sizes[] = {
      { "people", people }, { "words", words }, { "objects", objects }, { "steps", steps },
    };
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        if (sizes[i].value == 0)
          continue;
        given++;
        if (strcmp (sizes[i].name, size_name) != 0)
          return ftc_cli_usage_error ("tasks generate", "--%s does not apply to %s (it takes --%s)", sizes[i].name,
                                      key, size_name);
        if (sizes[i].value < 0)
          return ftc_cli_usage_error ("tasks generate", "--%s must be positive", sizes[i].name);
        size = sizes[i].value;
      }
  }

  task = ftc_synthetic_generate (key, n, seed, size, &error);
  if (task == NULL)
    {
      if (error->code == FTC_ERROR_INVALID)
        return ftc_cli_usage_error ("tasks generate", "%s", error->message);
      return fail (error);
    }
  if (out != NULL)
    {
      if (!ftc_task_save_jsonl (task, out, &error))
        return fail (error);
    }
  else
    {
      g_autofree char *dir = g_dir_make_tmp ("ftcot-generate-XXXXXX", &error);
      g_autofree char *tmp = NULL;
      g_autofree char *contents = NULL;
      gsize len;

      if (dir == NULL)
        return fail (error);
      tmp = g_build_filename (dir, "task.jsonl", NULL);
      if (!ftc_task_save_jsonl (task, tmp, &error) || !ftc_file_read (tmp, FTC_INPUT_DATA, &contents, &len, &error))
        return fail (error);
      g_remove (tmp);
      g_rmdir (dir);
      fwrite (contents, 1, len, stdout);
      fflush (stdout);
    }
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      add_task_summary (b, task);
      json_builder_set_member_name (b, "seed");
      json_builder_add_int_value (b, seed);
      json_builder_set_member_name (b, size_name);
      json_builder_add_int_value (b, size != 0 ? size : ftc_synthetic_default_size (key));
      json_builder_set_member_name (b, "out");
      json_builder_add_string_value (b, out);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ftc_cli_print_json (root);
    }
  else if (out != NULL)
    g_printerr ("ftcot tasks generate: wrote %u samples (%u train, %u test) to %s\n", task->samples->len,
                task->train->len, task->test->len, out);
  return FTC_EXIT_OK;
}

static void
on_progress (const char *key, const char *name, gint64 done, gint64 total, gpointer user_data)
{
  static gint64 last;
  gint64 now = g_get_monotonic_time ();

  if (now - last < 100000 && done != total)
    return;
  last = now;
  g_printerr ("\r%s/%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes%s", key, name, done, total,
              done == total ? "\n" : "");
}

static int
cmd_fetch (int argc, char **argv)
{
  gboolean all = FALSE, json = FALSE;
  char *from = NULL, *mirror = NULL;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Every paper dataset and benchmark", NULL },
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from, "Import from a local copy (DIR/KEY/FILE or DIR/FILE)", "DIR" },
    { "mirror", 0, 0, G_OPTION_ARG_STRING, &mirror, "Download from BASE/KEY/FILE instead of the origin "
      "repositories (default: $FTCOT_DATASET_MIRROR)", "BASE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autofree char *from_owned = NULL, *mirror_owned = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *data_dir = ftc_dataset_data_dir ();
  FtcFetchOptions options = { 0 };
  int failures = 0;

  if (!ftc_cli_parse ("tasks fetch", "KEY...|--all", "Installs paper datasets and benchmarks, verified by SHA-256, into the data "
                      "folder ($FTCOT_DATA_DIR or the user data folder).", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  from_owned = from;
  mirror_owned = mirror;
  if (all == (argc > 1))
    return ftc_cli_usage_error ("tasks fetch", "give dataset keys or --all");
  if (from != NULL && mirror != NULL)
    return ftc_cli_usage_error ("tasks fetch", "--from and --mirror exclude each other");
  if (all)
    {
      guint n;
      const FtcTaskInfo *tasks = ftc_task_registry (&n);
      for (guint i = 0; i < n; i++)
        if (tasks[i].source != FTC_TASK_SYNTHETIC)
          g_ptr_array_add (keys, (char *) tasks[i].key);
    }
  else
    for (int i = 1; i < argc; i++)
      {
        const FtcTaskInfo *info = ftc_task_info_lookup (argv[i]);
        if (info != NULL && info->source == FTC_TASK_SYNTHETIC)
          return ftc_cli_usage_error ("tasks fetch", "%s is generated, not downloaded ('ftcot tasks generate %s')",
                                      argv[i], argv[i]);
        g_ptr_array_add (keys, argv[i]);
      }

  options.mirror = mirror;
  options.retries = 3;
  if (!json && ftc_cli_stdout_is_tty ())
    options.progress = on_progress;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data_dir");
  json_builder_add_string_value (b, data_dir);
  json_builder_set_member_name (b, "datasets");
  json_builder_begin_array (b);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      g_autoptr (GError) error = NULL;
      gboolean ok = from != NULL ? ftc_dataset_import_dir (key, from, NULL, &error)
                                 : ftc_dataset_fetch (key, &options, &error);
      if (!ok)
        {
          failures++;
          if (error->code == FTC_ERROR_NOT_FOUND && !ftc_dataset_is_known (key) && !json)
            return fail (error);
          if (!json)
            g_printerr ("ftcot tasks: %s\n", error->message);
        }
      else if (!json)
        g_print ("%s: installed in %s%s\n", key, data_dir,
                 strcmp (key, "aqua") == 0 ? " (test part; the train split needs AQuA train.json, copied by hand)" : "");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, ok);
      json_builder_set_member_name (b, "error");
      if (ok)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, error->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      ftc_cli_print_json (root);
    }
  return failures > 0 ? FTC_EXIT_FAILURE : FTC_EXIT_OK;
}

static int
cmd_import (int argc, char **argv)
{
  gboolean json = FALSE;
  char *out = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the task as normalised JSONL (split included)", "FILE.jsonl" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autofree char *out_owned = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = NULL;
  guint counts[4] = { 0 };

  if (!ftc_cli_parse ("tasks import", "FILE", "Reads a JSONL or CSV task file and reports what it holds or what is "
                      "wrong with it (file:line).", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  out_owned = out;
  if (argc != 2)
    return ftc_cli_usage_error ("tasks import", "give exactly one file");
  task = ftc_task_import_file (argv[1], FTC_IMPORT_AUTO, &error);
  if (task == NULL)
    return fail (error);
  if (out != NULL && !ftc_task_save_jsonl (task, out, &error))
    return fail (error);
  for (guint i = 0; i < task->samples->len; i++)
    counts[((FtcSample *) g_ptr_array_index (task->samples, i))->answer_type]++;
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      add_task_summary (b, task);
      json_builder_set_member_name (b, "answer_types");
      json_builder_begin_object (b);
      for (int t = 0; t < 4; t++)
        if (counts[t] > 0)
          {
            json_builder_set_member_name (b, ftc_answer_type_to_string (t));
            json_builder_add_int_value (b, counts[t]);
          }
      json_builder_end_object (b);
      if (out != NULL)
        {
          json_builder_set_member_name (b, "out");
          json_builder_add_string_value (b, out);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ftc_cli_print_json (root);
    }
  else
    {
      g_print ("%s: %u samples, %u train / %u test (%s split)\n", argv[1], task->samples->len, task->train->len,
               task->test->len, task->split_name);
      for (int t = 0; t < 4; t++)
        if (counts[t] > 0)
          g_print ("  %-6s %u\n", ftc_answer_type_to_string (t), counts[t]);
      if (out != NULL)
        g_print ("written to %s\n", out);
    }
  return FTC_EXIT_OK;
}

int
ftc_cmd_tasks (int argc, char **argv)
{
  if (argc >= 2 && argv[1][0] != '-')
    {
      const char *verb = argv[1];
      if (strcmp (verb, "show") == 0)
        return cmd_show (argc - 1, argv + 1);
      if (strcmp (verb, "generate") == 0)
        return cmd_generate (argc - 1, argv + 1);
      if (strcmp (verb, "fetch") == 0)
        return cmd_fetch (argc - 1, argv + 1);
      if (strcmp (verb, "import") == 0)
        return cmd_import (argc - 1, argv + 1);
      return ftc_cli_usage_error ("tasks", "unknown verb '%s' (show, generate, fetch, import)", verb);
    }
  return cmd_list (argc, argv);
}
