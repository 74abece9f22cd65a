/* Price table: built-in entries, prefix matching, price files and their errors, cost arithmetic. */
#include <string.h>

#include "core/ftc-error.h"
#include "core/teach/ftc-price.h"
#include "tests/ftc-test-util.h"

static void
test_lookup (void)
{
  g_autoptr (FtcPriceTable) table = ftc_price_table_new ();
  FtcPrice p;

  g_assert_true (ftc_price_table_lookup (table, "gpt-4o-mini", &p));
  g_assert_cmpfloat (p.prompt_per_mtok, ==, 0.15);
  g_assert_cmpfloat (p.completion_per_mtok, ==, 0.6);
  /* a dated name takes the longest matching entry: gpt-4o-mini, not gpt-4o */
  g_assert_true (ftc_price_table_lookup (table, "gpt-4o-mini-2024-07-18", &p));
  g_assert_cmpfloat (p.prompt_per_mtok, ==, 0.15);
  g_assert_true (ftc_price_table_lookup (table, "gpt-4o-2024-08-06", &p));
  g_assert_cmpfloat (p.prompt_per_mtok, ==, 2.5);
  /* OpenRouter's provider prefix */
  g_assert_true (ftc_price_table_lookup (table, "openai/gpt-4.1-mini", &p));
  g_assert_cmpfloat (p.completion_per_mtok, ==, 1.6);
  /* a prefix counts only up to a boundary */
  g_assert_false (ftc_price_table_lookup (table, "gpt-4omega", &p));
  g_assert_false (ftc_price_table_lookup (table, "llama3:8b", &p));
  g_assert_true (ftc_price_table_lookup (table, "text-davinci-002", &p));
  /* the paper's teacher: $0.02 per 1000 tokens */
  g_assert_cmpfloat_with_epsilon (ftc_price_cost (&p, 1000, 0), 0.02, 1e-12);
  g_assert_cmpfloat_with_epsilon (ftc_price_cost (&p, 1500, 500), 0.04, 1e-12);
}

static void
test_file (void)
{
  g_autoptr (FtcPriceTable) table = ftc_price_table_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *good = ftc_test_write_tmp ("prices.json",
    "{\"models\": {\"llama3:8b\": {\"prompt\": 0, \"completion\": 0}, "
    "\"gpt-4o\": {\"prompt\": 5, \"completion\": 15.5}}}", -1);
  g_autofree char *bad_type = ftc_test_write_tmp ("bad.json",
    "{\"models\": {\"m\": {\"prompt\": \"cheap\", \"completion\": 1}}}", -1);
  g_autofree char *negative = ftc_test_write_tmp ("neg.json",
    "{\"models\": {\"m\": {\"prompt\": 1, \"completion\": -1}}}", -1);
  g_autofree char *not_json = ftc_test_write_tmp ("nj.json", "{\"models\": ", -1);
  FtcPrice p;

  g_assert_true (ftc_price_table_load (table, good, &error));
  g_assert_no_error (error);
  g_assert_true (ftc_price_table_lookup (table, "llama3:8b", &p));
  g_assert_cmpfloat (p.completion_per_mtok, ==, 0);
  /* the file overrides the built-in price */
  g_assert_true (ftc_price_table_lookup (table, "gpt-4o-2024-08-06", &p));
  g_assert_cmpfloat (p.prompt_per_mtok, ==, 5);
  g_assert_cmpfloat (p.completion_per_mtok, ==, 15.5);

  g_assert_false (ftc_price_table_load (table, bad_type, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "models.m.prompt"));
  g_assert_nonnull (strstr (error->message, bad_type));
  g_clear_error (&error);
  g_assert_false (ftc_price_table_load (table, negative, &error));
  g_assert_nonnull (strstr (error->message, "models.m.completion"));
  g_clear_error (&error);
  g_assert_false (ftc_price_table_load (table, not_json, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_false (ftc_price_table_load (table, "/nonexistent/prices.json", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/price/lookup", test_lookup);
  g_test_add_func ("/price/file", test_file);
  return g_test_run ();
}
