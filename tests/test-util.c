/* test-util: the test helpers themselves. */
#include "tests/ftc-test-util.h"

static void
test_write_tmp (void)
{
  g_autofree char *path = ftc_test_write_tmp ("a.txt", "hello", -1);
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "hello");
}

static void
test_shared_dir (void)
{
  g_autofree char *sources = ftc_test_shared_path ("datasets", "SOURCES.md", NULL);

  if (sources == NULL)
    return;
  g_assert_true (g_file_test (sources, G_FILE_TEST_IS_REGULAR));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/write-tmp", test_write_tmp);
  g_test_add_func ("/util/shared-dir", test_shared_dir);
  return g_test_run ();
}
