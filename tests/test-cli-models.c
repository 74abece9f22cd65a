/* test-cli-models: `ftcot tokenize` and `ftcot generate` as a user runs them (exit codes, output). */
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tests/ftc-test-util.h"

static char *
model_dir (void)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  return g_build_filename (root != NULL ? root : ".", "tests", "data", "hf-gpt2-tiny", NULL);
}

/* Runs ftcot with args and input on standard input; returns the exit status, stdout and stderr. */
static int
run (const char *input, char **out, char **err, const char *first, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = ftc_test_cli_launcher ();
  va_list args;
  int status;

  g_subprocess_launcher_setenv (launcher, "OMP_NUM_THREADS", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "OPENBLAS_NUM_THREADS", "1", TRUE);
  va_start (args, first);
  status = ftc_test_cli_run_va (launcher, input, out, err, first, args);
  va_end (args);
  return status;
}

static void
test_tokenize (void)
{
  g_autofree char *dir = ftc_test_shared_path ("gpt2-tokenizer", NULL);
  g_autofree char *out = NULL, *err = NULL, *back = NULL, *err2 = NULL, *json = NULL, *err3 = NULL;
  const char *text = "Let's think step by step.\n  ünïcödé 😀";

  if (dir == NULL)
    return;
  g_assert_cmpint (run ("Hello world", &out, &err, "tokenize", "--tokenizer", dir, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "15496 995\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run ("Hello world", &json, &err3, "tokenize", "--tokenizer", dir, "--json", NULL), ==, 0);
  g_assert_cmpstr (json, ==, "[15496, 995]\n");
  /* encode, then decode both spellings of the ids, back to the very bytes */
  g_assert_cmpint (run (text, &out, &err, "tokenize", "--tokenizer", dir, NULL), ==, 0);
  g_assert_cmpint (run (out, &back, &err2, "tokenize", "--tokenizer", dir, "--decode", NULL), ==, 0);
  g_assert_cmpstr (back, ==, text);
  g_clear_pointer (&back, g_free);
  g_clear_pointer (&err2, g_free);
  g_assert_cmpint (run ("[40, 1101]", &back, &err2, "tokenize", "--tokenizer", dir, "--decode", NULL), ==, 0);
  g_assert_cmpstr (back, ==, "I'm");
  g_clear_pointer (&back, g_free);
  g_clear_pointer (&err2, g_free);
  /* bad input: an id outside the vocabulary, not a number, no tokenizer */
  g_assert_cmpint (run ("15496 50257", &back, &err2, "tokenize", "--tokenizer", dir, "--decode", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "ftcot tokenize: token id 50257"));
  g_clear_pointer (&back, g_free);
  g_clear_pointer (&err2, g_free);
  g_assert_cmpint (run ("12 x", &back, &err2, "tokenize", "--tokenizer", dir, "--decode", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "expected a token id"));
  g_clear_pointer (&back, g_free);
  g_clear_pointer (&err2, g_free);
  g_assert_cmpint (run ("x", &back, &err2, "tokenize", "--tokenizer", "/nonexistent", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "no tokenizer"));
  g_clear_pointer (&back, g_free);
  g_clear_pointer (&err2, g_free);
  g_assert_cmpint (run ("x", &back, &err2, "tokenize", NULL), ==, 2);
}

static void
test_generate (void)
{
  g_autofree char *dir = model_dir ();
  g_autofree char *ref_path = g_build_filename (dir, "reference.json", NULL);
  g_autoptr (JsonParser) ref = json_parser_new ();
  g_autoptr (JsonParser) got = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  JsonObject *c, *o;
  JsonArray *want, *ids;

  /* greedy, as PyTorch continued the prompt */
  g_assert_true (json_parser_load_from_file (ref, ref_path, &error));
  c = json_array_get_object_element (json_object_get_array_member (json_node_get_object (
                                       json_parser_get_root (ref)), "prompts"), 2);
  g_assert_cmpint (run (NULL, &out, &err, "generate", "--model", dir, "--prompt",
                        json_object_get_string_member (c, "text"), "--max-new-tokens", "24", "--no-eot-stop",
                        "--device", "cpu", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (got, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (got));
  want = json_object_get_array_member (c, "greedy");
  ids = json_object_get_array_member (o, "generated_ids");
  g_assert_cmpuint (json_array_get_length (ids), ==, json_array_get_length (want));
  for (guint i = 0; i < json_array_get_length (want); i++)
    g_assert_cmpint (json_array_get_int_element (ids, i), ==, json_array_get_int_element (want, i));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "prompt_ids")), ==,
                    json_array_get_length (json_object_get_array_member (c, "ids")));
  g_assert_true (json_object_has_member (o, "text"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* a JSONL batch: one line out per line in, ids carried over */
  {
    g_autofree char *input = ftc_test_write_tmp ("prompts.jsonl", "{\"id\": \"q1\", \"prompt\": \"a\"}\n\n"
                                                 "{\"prompt\": \"Q: Roger has 5 tennis balls.\", \"id\": 7}\n", -1);
    g_auto (GStrv) lines = NULL;
    g_assert_cmpint (run (NULL, &out, &err, "generate", "-m", dir, "--input", input, "-n", "5", "--temperature",
                          "0.7", "--top-p", "0.9", "--seed", "5", "--device", "cpu", NULL), ==, 0);
    lines = g_strsplit (out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
    g_assert_cmpstr (lines[2], ==, "");
    g_assert_true (g_str_has_prefix (lines[0], "{\"id\":\"q1\",\"prompt\":\"a\",\"prompt_ids\":[64],"));
    g_assert_true (g_str_has_prefix (lines[1], "{\"id\":7,"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* errors: a prompt beyond the context, a missing folder, no prompt, a bad JSONL line */
  {
    g_autoptr (GString) longp = g_string_new (NULL);
    g_autofree char *bad = ftc_test_write_tmp ("bad.jsonl", "{\"prompt\": \"a\"}\n{\"text\": 1}\n", -1);
    for (int i = 0; i < 100; i++)
      g_string_append (longp, "ab ");
    g_assert_cmpint (run (NULL, &out, &err, "generate", "-m", dir, "-p", longp->str, "--device", "cpu", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "ftcot generate: prompt 0 has"));
    g_assert_nonnull (strstr (err, "context is 64 tokens"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (NULL, &out, &err, "generate", "-m", "/nonexistent", "-p", "a", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "no such model folder"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (NULL, &out, &err, "generate", "-m", dir, NULL), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (NULL, &out, &err, "generate", "-m", dir, "-i", bad, "--device", "cpu", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "bad.jsonl:2"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-models/tokenize", test_tokenize);
  g_test_add_func ("/cli-models/generate", test_generate);
  return g_test_run ();
}
