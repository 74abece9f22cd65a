/* ftc-dataset-fetch.c: resumable, verified downloads of the paper datasets' raw files. */
#include "core/tasks/ftc-dataset-fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib/gstdio.h>

#include "core/tasks/ftc-dataset.h"
#include "core/ftc-error.h"
#include "core/ftc-read.h"
#include "core/tasks/ftc-task-registry.h"

#define ZSC "https://raw.githubusercontent.com/kojima-takeshi188/zero_shot_cot/" \
            "5ef330fcdeec0cd26aee27943504f91f8ec1c33c/dataset/"
#define GSM "https://raw.githubusercontent.com/openai/grade-school-math/" \
            "3101c7d5072418e28b9008a6636bde82a006892c/grade_school_math/data/"

static const FtcDatasetSource sources[] = {
  { "single_eq", "questions.json", ZSC "SingleEq/questions.json", 137870,
    "051507bd2b489c257057b485774a83d2710c23a4bc0f4a58e1822ae2773ef05e" },
  { "addsub", "AddSub.json", ZSC "AddSub/AddSub.json", 131373,
    "21930fa90385c72b5a15f4b9a4dda27276b889ae9ff44285505cdd9fa0a20df8" },
  { "multiarith", "MultiArith.json", ZSC "MultiArith/MultiArith.json", 254012,
    "dc9db1b6cc68b1ecc2dec830d15aaf8c9a0932aa31d5ffce88ef3628179d36f4" },
  { "gsm8k", "train.jsonl", GSM "train.jsonl", 4166206,
    "17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465" },
  { "gsm8k", "test.jsonl", ZSC "grade-school-math/test.jsonl", 749738,
    "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14" },
  { "aqua", "test.json", ZSC "AQuA/test.json", 130192,
    "de41581881ef95c5588c44ddc701c77fd480839241dd422a0d181262af24520c" },
  { "svamp", "SVAMP.json", ZSC "SVAMP/SVAMP.json", 339970,
    "5be77703a6d891ae476d7c082787ad361392aa02453b132516cdd5f4e7934e3e" },
  { "date_understanding", "task.json", ZSC "Bigbench_Date/task.json", 119336,
    "ff716f0e399109146db3a998281c39954907b78268a9b633a95582d63847822f" },
  { "tracking_shuffled_objects", "task.json", ZSC "Bigbench_object_tracking/task.json", 465146,
    "74b74d3c8827c0387a3f24ee9efa7edd90b2d53af3daacb9961341af66f750a0" },
  { "coin_flip", "coin_flip.json", ZSC "coin_flip/coin_flip.json", 136576,
    "68cf201737a1463ef6bed5419622805a8934d92bff6a28a9dfbf83be3135ba5a" },
  { "last_letter_concatenation", "last_letters.json", ZSC "last_letters/last_letters.json", 84400,
    "60e8d092d0a6423d3256e87e0c249b69aefea4cd27985082095fa4e93931fb02" },
  { "commonsense_qa", "train_rand_split.jsonl", ZSC "CommonsenseQA/train_rand_split.jsonl", 3785890,
    "58ffa3c8472410e24b8c43f423d89c8a003d8284698a6ed7874355dedd09a2fb" },
  { "commonsense_qa", "dev_rand_split.jsonl", ZSC "CommonsenseQA/dev_rand_split.jsonl", 471653,
    "3210497fdaae614ac085d9eb873dd7f4d49b6f965a93adadc803e1229fd8a02a" },
  { "strategy_qa", "task.json", ZSC "StrategyQA/task.json", 854248,
    "60af9081fed20102fd8bb1e02dc7d9f12238efcba33e4c1a56b4d61cb6409803" },
};

const FtcDatasetSource *
ftc_dataset_sources (guint *n_out)
{
  *n_out = G_N_ELEMENTS (sources);
  return sources;
}

gboolean
ftc_dataset_verify_file (const FtcDatasetSource *source, const char *path, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (64 * 1024);
  gint64 total = 0;
  int fd = ftc_file_open_regular (path, FTC_INPUT_DATA, NULL, error);
  gssize n;

  if (fd < 0)
    return FALSE;
  /* never more than one byte past the size it should have */
  while (total <= source->size && ((n = read (fd, buf, 64 * 1024)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0)
      {
        g_checksum_update (sum, buf, n);
        total += n;
      }
  close (fd);
  if (total != source->size)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s has %" G_GINT64_FORMAT " bytes, expected %"
                   G_GINT64_FORMAT, path, total, source->size);
      return FALSE;
    }
  if (strcmp (g_checksum_get_string (sum), source->sha256) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s is corrupt: SHA-256 %s, expected %s", path,
                   g_checksum_get_string (sum), source->sha256);
      return FALSE;
    }
  return TRUE;
}

/* fsync then rename: the installed file is either the old one or the complete new one */
static gboolean
install_part (const char *part, const char *dest, GError **error)
{
  int fd = g_open (part, O_RDONLY, 0);

  if (fd >= 0)
    {
      g_fsync (fd);
      g_close (fd, NULL);
    }
  if (g_rename (part, dest) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "cannot install %s: %s", dest, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

typedef struct {
  const FtcDatasetSource *source;
  const FtcFetchOptions *options;
  CURL *curl;
  const char *part;
  FILE *out;
  gint64 offset;        /* bytes already in .part when the request started */
  gint64 written;       /* bytes written by this request */
  long status;
  gboolean started;
  gboolean too_big;
  gboolean write_failed;
} Transfer;

static size_t
on_data (char *data, size_t size, size_t n, void *user_data)
{
  Transfer *t = user_data;
  size_t len = size * n;

  if (!t->started)
    {
      t->started = TRUE;
      curl_easy_getinfo (t->curl, CURLINFO_RESPONSE_CODE, &t->status);
      if (t->status != 200 && t->status != 206)
        return 0;   /* an error page: do not store it */
      /* a server that ignores Range sends the whole file again */
      t->out = g_fopen (t->part, t->status == 206 ? "ab" : "wb");
      if (t->out == NULL)
        {
          t->write_failed = TRUE;
          return 0;
        }
      if (t->status == 200)
        t->offset = 0;
    }
  if (t->out == NULL)
    return 0;
  if (t->offset + t->written + (gint64) len > t->source->size)
    {
      t->too_big = TRUE;
      return 0;
    }
  if (fwrite (data, 1, len, t->out) != len)
    {
      t->write_failed = TRUE;
      return 0;
    }
  t->written += len;
  return len;
}

static int
on_progress (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  Transfer *t = user_data;

  if (t->options->cancellable != NULL && g_cancellable_is_cancelled (t->options->cancellable))
    return 1;
  if (t->options->progress != NULL && t->started)
    t->options->progress (t->source->key, t->source->name, t->offset + dlnow, t->source->size,
                          t->options->user_data);
  return 0;
}

/* One request; TRUE when the .part file now holds source->size bytes. *retry says whether trying again
 * (resuming) may help. */
static gboolean
transfer_once (const FtcDatasetSource *source, const FtcFetchOptions *options, const char *url,
               const char *part, gboolean *retry, GError **error)
{
  Transfer t = { source, options, NULL, part, NULL, 0, 0, 0, FALSE, FALSE, FALSE };
  char errbuf[CURL_ERROR_SIZE] = "";
  char range[64];
  CURLcode code;
  gint64 have;

  *retry = FALSE;
  have = file_size (part);
  if (have > source->size)
    {
      g_unlink (part);
      have = -1;
    }
  t.offset = MAX (have, 0);
  if (t.offset == source->size)
    return TRUE;

  t.curl = curl_easy_init ();
  curl_easy_setopt (t.curl, CURLOPT_URL, url);
  curl_easy_setopt (t.curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (t.curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (t.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (t.curl, CURLOPT_USERAGENT, "ftcot/" "0.1");
  curl_easy_setopt (t.curl, CURLOPT_CONNECTTIMEOUT, 30L);
  /* a stalled transfer (less than 1 byte/s for timeout_s) is a failure */
  curl_easy_setopt (t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (t.curl, CURLOPT_LOW_SPEED_TIME, options->timeout_s > 0 ? options->timeout_s : 60L);
  curl_easy_setopt (t.curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt (t.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt (t.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (t.curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt (t.curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (t.curl, CURLOPT_ERRORBUFFER, errbuf);
  if (t.offset > 0)
    {
      g_snprintf (range, sizeof range, "%" G_GINT64_FORMAT "-", t.offset);
      curl_easy_setopt (t.curl, CURLOPT_RANGE, range);
    }
  code = curl_easy_perform (t.curl);
  if (!t.started)
    curl_easy_getinfo (t.curl, CURLINFO_RESPONSE_CODE, &t.status);
  curl_easy_cleanup (t.curl);
  if (t.out != NULL && fclose (t.out) != 0)
    t.write_failed = TRUE;

  if (code == CURLE_ABORTED_BY_CALLBACK)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_CANCELLED, "download of %s/%s cancelled", source->key, source->name);
      return FALSE;
    }
  if (t.write_failed)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "cannot write %s", part);
      return FALSE;
    }
  if (t.too_big)
    {
      g_unlink (part);
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: the server sent more than the expected %"
                   G_GINT64_FORMAT " bytes; the download was removed", url, source->size);
      return FALSE;
    }
  if (t.status == 416 && t.offset > 0)
    {
      /* our partial file does not fit the server's: start over */
      g_unlink (part);
      *retry = TRUE;
      g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK, "%s: HTTP 416 for a resumed download", url);
      return FALSE;
    }
  if (t.status != 0 && t.status != 200 && t.status != 206)
    {
      *retry = t.status >= 500 || t.status == 429;
      g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK, "%s: HTTP %ld", url, t.status);
      return FALSE;
    }
  if (code != CURLE_OK)
    {
      gint64 now = file_size (part);
      *retry = TRUE;
      if (code == CURLE_PARTIAL_FILE || (t.started && now < source->size))
        g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK,
                     "%s: truncated download (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes; %s)", url,
                     MAX (now, 0), source->size, *errbuf ? errbuf : curl_easy_strerror (code));
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK, "%s: %s", url,
                     *errbuf ? errbuf : curl_easy_strerror (code));
      return FALSE;
    }
  if (file_size (part) != source->size)
    {
      *retry = TRUE;
      g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK,
                   "%s: truncated download (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes)", url,
                   MAX (file_size (part), 0), source->size);
      return FALSE;
    }
  return TRUE;
}

static void
curl_init_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&done, 1);
    }
}

static gboolean
fetch_one (const FtcDatasetSource *source, const FtcFetchOptions *options, const char *mirror,
           const char *dir, GError **error)
{
  g_autofree char *dest = g_build_filename (dir, source->name, NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autofree char *url = NULL;
  g_autoptr (GError) last = NULL;

  if (g_file_test (dest, G_FILE_TEST_IS_REGULAR) && ftc_dataset_verify_file (source, dest, NULL))
    return TRUE;   /* installed and intact */

  if (mirror != NULL)
    {
      gsize n = strlen (mirror);
      url = g_strdup_printf ("%.*s/%s/%s", (int) (n > 0 && mirror[n - 1] == '/' ? n - 1 : n), mirror,
                             source->key, source->name);
    }
  else
    url = g_strdup (source->url);

  for (guint attempt = 0; attempt <= options->retries; attempt++)
    {
      gboolean retry = FALSE;
      g_autoptr (GError) verify_error = NULL;

      g_clear_error (&last);
      if (attempt > 0)
        g_usleep (MIN (attempt, 5) * 200000);
      if (!transfer_once (source, options, url, part, &retry, &last))
        {
          if (retry)
            continue;
          g_propagate_error (error, g_steal_pointer (&last));
          return FALSE;
        }
      if (!ftc_dataset_verify_file (source, part, &verify_error))
        {
          /* never keep or install a corrupt file */
          g_unlink (part);
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: corrupt download, removed (%s)", url,
                       verify_error->message);
          return FALSE;
        }
      return install_part (part, dest, error);
    }
  g_propagate_prefixed_error (error, g_steal_pointer (&last), "%s/%s: ", source->key, source->name);
  return FALSE;
}

static gboolean
check_key (const char *key, GError **error)
{
  if (ftc_dataset_is_known (key))
    return TRUE;
  const char *suggestion = ftc_task_key_suggest (key);
  if (suggestion != NULL)
    g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown dataset '%s'; did you mean '%s'?", key, suggestion);
  else
    g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown dataset '%s'", key);
  return FALSE;
}

static char *
dest_dir (const char *data_dir, const char *key, GError **error)
{
  g_autofree char *base = data_dir != NULL ? g_strdup (data_dir) : ftc_dataset_data_dir ();
  char *dir = g_build_filename (base, key, NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror (saved));
      g_free (dir);
      return NULL;
    }
  return dir;
}

gboolean
ftc_dataset_fetch (const char *key, const FtcFetchOptions *options, GError **error)
{
  FtcFetchOptions defaults = { 0 };
  g_autofree char *dir = NULL;
  const char *mirror;

  if (!check_key (key, error))
    return FALSE;
  if (options == NULL)
    {
      defaults.retries = 2;
      options = &defaults;
    }
  mirror = options->mirror;
  if (mirror == NULL && g_getenv ("FTCOT_DATASET_MIRROR") != NULL && *g_getenv ("FTCOT_DATASET_MIRROR") != '\0')
    mirror = g_getenv ("FTCOT_DATASET_MIRROR");
  if ((dir = dest_dir (options->data_dir, key, error)) == NULL)
    return FALSE;
  curl_init_once ();
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (strcmp (sources[i].key, key) == 0 && !fetch_one (&sources[i], options, mirror, dir, error))
      return FALSE;
  return TRUE;
}

gboolean
ftc_dataset_import_dir (const char *key, const char *from_dir, const char *data_dir, GError **error)
{
  g_autofree char *dir = NULL;

  if (!check_key (key, error))
    return FALSE;
  if (!g_file_test (from_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s is not a folder", from_dir);
      return FALSE;
    }
  if ((dir = dest_dir (data_dir, key, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      const FtcDatasetSource *s = &sources[i];
      g_autofree char *nested = NULL;
      g_autofree char *flat = NULL;
      g_autofree char *dest = NULL;
      g_autofree char *part = NULL;
      g_autofree char *contents = NULL;
      g_autoptr (GError) local = NULL;
      const char *src;
      gsize len;
      gboolean optional = FALSE;
      guint n_files;
      const FtcDatasetFile *files = ftc_dataset_files (&n_files);

      if (strcmp (s->key, key) != 0)
        continue;
      for (guint f = 0; f < n_files; f++)
        if (strcmp (files[f].key, key) == 0 && strcmp (files[f].name, s->name) == 0)
          optional = files[f].optional;
      nested = g_build_filename (from_dir, key, s->name, NULL);
      flat = g_build_filename (from_dir, s->name, NULL);
      src = g_file_test (nested, G_FILE_TEST_IS_REGULAR) ? nested : flat;
      if (!g_file_test (src, G_FILE_TEST_IS_REGULAR))
        {
          if (optional)
            continue;
          g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s: %s not found in %s", key, s->name, from_dir);
          return FALSE;
        }
      if (!ftc_dataset_verify_file (s, src, error))
        return FALSE;
      dest = g_build_filename (dir, s->name, NULL);
      if (strcmp (src, dest) == 0)
        continue;
      part = g_strconcat (dest, ".part", NULL);
      if (!ftc_file_read (src, FTC_INPUT_DATA, &contents, &len, error))
        return FALSE;
      if (!g_file_set_contents (part, contents, len, &local))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s", local->message);
          g_unlink (part);
          return FALSE;
        }
      /* verify the copy too: what is installed is what was checked */
      if (!ftc_dataset_verify_file (s, part, error))
        {
          g_unlink (part);
          return FALSE;
        }
      if (!install_part (part, dest, error))
        return FALSE;
    }
  return TRUE;
}
