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
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/tasks/ftc-task-registry.h"

#define ZSC "https://raw.githubusercontent.com/kojima-takeshi188/zero_shot_cot/" \
            "5ef330fcdeec0cd26aee27943504f91f8ec1c33c/dataset/"
#define GSM "https://raw.githubusercontent.com/openai/grade-school-math/" \
            "3101c7d5072418e28b9008a6636bde82a006892c/grade_school_math/data/"
/* the reasoning benchmarks */
#define QWEN "https://raw.githubusercontent.com/QwenLM/Qwen2.5-Math/" \
             "a45202bd16f1ec06f433442dc1152d0074773465/evaluation/data/"
#define AREAL "https://raw.githubusercontent.com/inclusionAI/AReaL/" \
              "1b0306631b01becc329af59df560efb754be34af/evaluation/data/"
/* Git LFS objects: the repository holds pointers whose oid is the file's SHA-256 */
#define PRM "https://media.githubusercontent.com/media/openai/prm800k/" \
            "7ecc794703b2877f63226f2477a49b34f9b25163/prm800k/math_splits/"
#define ARC "https://datasets-server.huggingface.co/rows?dataset=allenai%2Fai2_arc&config=ARC-Challenge&split="

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
  { "aime_2024", "test.jsonl", QWEN "aime24/test.jsonl", 156944,
    "af2b8bd2aa911b6333ad0df32f3ca05c7ae8ed10f1731f4372c8ae26990bf7ac" },
  { "aime_2025", "test.jsonl", AREAL "aime25/test.jsonl", 15813,
    "b4e273c02d3e7fe1b74b59eae768fc8230bfb0f79539890cb56f4361caac0331" },
  { "amc23", "test.jsonl", QWEN "amc23/test.jsonl", 27631,
    "43707e1ca784602d8479de24ee8ce36609dbebc46dd152b0b12a46611aa898a4" },
  { "math500", "test.jsonl", PRM "test.jsonl", 446564,
    "35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132" },
  { "math_train", "train.jsonl", PRM "train.jsonl", 10896985,
    "90d96daeac3fe343ebb1e22ce93dd99690f75983e957f88de42f87cffe1e8076" },
  { "olympiadbench", "test.jsonl", QWEN "olympiadbench/test.jsonl", 1493870,
    "bb8c1e38a16ea9eacb77530315a674d883f267fbff79183effc53681b4fcc416" },
  /* Parquet only: the rows API, pinned by row count (the checksum is recorded on first download) */
  { "arc_challenge", "train.jsonl", ARC "train", -1, NULL, 1119 },
  { "arc_challenge", "validation.jsonl", ARC "validation", -1, NULL, 299 },
  { "arc_challenge", "test.jsonl", ARC "test", -1, NULL, 1172 },
};

const FtcDatasetSource *
ftc_dataset_sources (guint *n_out)
{
  *n_out = G_N_ELEMENTS (sources);
  return sources;
}

/* The SHA-256 recorded beside an installed file of an unpinned source (dest.sha256), or NULL. */
static char *
recorded_sha256 (const char *dest)
{
  g_autofree char *path = g_strconcat (dest, ".sha256", NULL);
  g_autofree char *text = NULL;
  gsize len;

  if (!ftc_path_exists (path) || !ftc_file_read (path, FTC_INPUT_CONFIG, &text, &len, NULL) || len < 64)
    return NULL;
  for (int i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return NULL;
  return g_strndup (text, 64);
}

static gboolean
record_sha256 (const char *dest, const char *sha256, GError **error)
{
  g_autofree char *path = g_strconcat (dest, ".sha256", NULL);
  g_autofree char *line = g_strconcat (sha256, "\n", NULL);
  g_autoptr (GError) local = NULL;

  if (!g_file_set_contents (path, line, -1, &local))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

/* Checks path against source: its pinned size, the SHA-256 expected (pinned or recorded; NULL: none yet)
 * and, for rows API files, the pinned row count. *sha256_out (may be NULL) gets the file's SHA-256. */
static gboolean
verify_with (const FtcDatasetSource *source, const char *path, const char *expected, char **sha256_out,
             GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (64 * 1024);
  gint64 total = 0, lines = 0;
  int fd = ftc_file_open_regular (path, FTC_INPUT_DATA, NULL, error);
  gssize n;

  if (fd < 0)
    return FALSE;
  /* never more than one byte past the size it should have (a pinned size), else the kind's limit */
  while ((source->size < 0 || total <= source->size)
         && ((n = read (fd, buf, 64 * 1024)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0)
      {
        g_checksum_update (sum, buf, n);
        total += n;
        for (gssize i = 0; i < n; i++)
          lines += buf[i] == '\n';
      }
  close (fd);
  if (source->size >= 0 && total != source->size)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s has %" G_GINT64_FORMAT " bytes, expected %"
                   G_GINT64_FORMAT, path, total, source->size);
      return FALSE;
    }
  if (source->rows > 0 && lines != source->rows)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s has %" G_GINT64_FORMAT " rows, expected %"
                   G_GINT64_FORMAT, path, lines, source->rows);
      return FALSE;
    }
  if (expected != NULL && strcmp (g_checksum_get_string (sum), expected) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s is corrupt: SHA-256 %s, expected %s%s", path,
                   g_checksum_get_string (sum), expected,
                   source->sha256 == NULL ? " (recorded at its first download)" : "");
      return FALSE;
    }
  if (sha256_out != NULL)
    *sha256_out = g_strdup (g_checksum_get_string (sum));
  return TRUE;
}

gboolean
ftc_dataset_verify_file (const FtcDatasetSource *source, const char *path, GError **error)
{
  g_autofree char *recorded = source->sha256 == NULL ? recorded_sha256 (path) : NULL;

  return verify_with (source, path, source->sha256 != NULL ? source->sha256 : recorded, NULL, error);
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
  if (t->offset + t->written + (gint64) len > (t->source->size >= 0 ? t->source->size : FTC_FETCH_MAX_BYTES))
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
    t->options->progress (t->source->key, t->source->name, t->offset + dlnow,
                          t->source->size >= 0 ? t->source->size : (dltotal > 0 ? t->offset + dltotal : -1),
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
  if (source->size >= 0 && have > source->size)
    {
      g_unlink (part);
      have = -1;
    }
  t.offset = MAX (have, 0);
  if (source->size >= 0 && t.offset == source->size)
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
                   G_GINT64_FORMAT " bytes; the download was removed", url,
                   source->size >= 0 ? source->size : (gint64) FTC_FETCH_MAX_BYTES);
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
      if (code == CURLE_PARTIAL_FILE || (t.started && source->size >= 0 && now < source->size))
        g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK,
                     "%s: truncated download (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes; %s)", url,
                     MAX (now, 0), source->size, *errbuf ? errbuf : curl_easy_strerror (code));
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK, "%s: %s", url,
                     *errbuf ? errbuf : curl_easy_strerror (code));
      return FALSE;
    }
  if (source->size >= 0 && file_size (part) != source->size)
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

/* ---- the rows API: pages of JSON rows, written one row a line ---- */

typedef struct {
  const FtcFetchOptions *options;
  GByteArray *body;
  gboolean too_big;
} Page;

static size_t
on_page_data (char *data, size_t size, size_t n, void *user_data)
{
  Page *p = user_data;
  size_t len = size * n;

  if (p->body->len + len > FTC_FETCH_MAX_BYTES)
    {
      p->too_big = TRUE;
      return 0;
    }
  g_byte_array_append (p->body, (const guint8 *) data, len);
  return len;
}

static int
on_page_progress (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  Page *p = user_data;
  return p->options->cancellable != NULL && g_cancellable_is_cancelled (p->options->cancellable) ? 1 : 0;
}

/* One GET; the body (NUL-terminated) or NULL with *retry saying whether trying again may help. */
static GBytes *
get_page (const char *url, const FtcFetchOptions *options, gboolean *retry, GError **error)
{
  Page p = { options, g_byte_array_new (), FALSE };
  char errbuf[CURL_ERROR_SIZE] = "";
  CURL *curl = curl_easy_init ();
  CURLcode code;
  long status = 0;

  *retry = FALSE;
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "ftcot/" "0.1");
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME, options->timeout_s > 0 ? options->timeout_s : 60L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_page_data);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &p);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, on_page_progress);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, &p);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);
  if (code == CURLE_ABORTED_BY_CALLBACK)
    g_set_error (error, FTC_ERROR, FTC_ERROR_CANCELLED, "download cancelled");
  else if (p.too_big)
    g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: an answer of more than %d bytes", url,
                 FTC_FETCH_MAX_BYTES);
  else if (code != CURLE_OK)
    {
      *retry = TRUE;
      g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK, "%s: %s", url, *errbuf ? errbuf : curl_easy_strerror (code));
    }
  else if (status != 200)
    {
      *retry = status >= 500 || status == 429;
      g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK, "%s: HTTP %ld", url, status);
    }
  else
    {
      g_byte_array_append (p.body, (const guint8 *) "", 1);
      return g_byte_array_free_to_bytes (p.body);
    }
  g_byte_array_unref (p.body);
  return NULL;
}

/* Appends the rows of one page to out: {"rows": [{"row_idx": offset + i, "row": {...}, "truncated_cells": []}],
 * "num_rows_total": N, ...}. *got gets the number of rows. */
static gboolean
write_page_rows (const FtcDatasetSource *source, const char *url, GBytes *body, gint64 offset, FILE *out,
                 gint64 *got, GError **error)
{
  gsize len;
  const char *text = g_bytes_get_data (body, &len);
  g_autoptr (JsonNode) node = NULL;
  JsonObject *root;
  JsonNode *rows, *total;

  *got = 0;
  /* the body ends in the NUL the downloader adds: not part of the JSON */
  node = ftc_json_parse (text, len - 1, url, error);
  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: not a rows API answer", url);
      return FALSE;
    }
  root = json_node_get_object (node);
  rows = json_object_get_member (root, "rows");
  total = json_object_get_member (root, "num_rows_total");
  if (rows == NULL || !JSON_NODE_HOLDS_ARRAY (rows) || total == NULL || !JSON_NODE_HOLDS_VALUE (total)
      || json_node_get_value_type (total) != G_TYPE_INT64)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: no \"rows\" and \"num_rows_total\"", url);
      return FALSE;
    }
  if (json_node_get_int (total) != source->rows)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: the split has %" G_GINT64_FORMAT " rows, not the %"
                   G_GINT64_FORMAT " pinned: the dataset changed", url, json_node_get_int (total), source->rows);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (rows)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (rows), i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      JsonNode *row = entry != NULL ? json_object_get_member (entry, "row") : NULL;
      JsonNode *truncated = entry != NULL ? json_object_get_member (entry, "truncated_cells") : NULL;
      g_autofree char *line = NULL;

      if (row == NULL || !JSON_NODE_HOLDS_OBJECT (row)
          || json_object_get_int_member_with_default (entry, "row_idx", -1) != offset + (gint64) i)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: rows[%u] is not row %" G_GINT64_FORMAT, url, i,
                       offset + (gint64) i);
          return FALSE;
        }
      /* a cut cell would install a different dataset */
      if (truncated != NULL && JSON_NODE_HOLDS_ARRAY (truncated) && json_array_get_length (json_node_get_array (truncated)) > 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: row %" G_GINT64_FORMAT " came with truncated cells",
                       url, offset + (gint64) i);
          return FALSE;
        }
      line = ftc_json_to_line (row);
      if (fprintf (out, "%s\n", line) < 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "cannot write the rows of %s", source->name);
          return FALSE;
        }
      (*got)++;
    }
  return TRUE;
}

/* The rows of a split, page by page, into part. */
static gboolean
fetch_rows (const FtcDatasetSource *source, const FtcFetchOptions *options, const char *part, GError **error)
{
  FILE *out = g_fopen (part, "wb");
  gint64 offset = 0;
  gboolean ok = TRUE;

  if (out == NULL)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "cannot write %s: %s", part, g_strerror (saved));
      return FALSE;
    }
  while (ok && offset < source->rows)
    {
      g_autofree char *url = g_strdup_printf ("%s&offset=%" G_GINT64_FORMAT "&length=%d", source->url, offset,
                                              FTC_FETCH_ROWS_PER_PAGE);
      g_autoptr (GBytes) body = NULL;
      g_autoptr (GError) last = NULL;
      gint64 got = 0;

      for (guint attempt = 0; attempt <= options->retries && body == NULL; attempt++)
        {
          gboolean retry = FALSE;
          g_clear_error (&last);
          if (attempt > 0)
            g_usleep (MIN (attempt, 5) * 200000);
          body = get_page (url, options, &retry, &last);
          if (body == NULL && !retry)
            break;
        }
      if (body == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&last), "%s/%s: ", source->key, source->name);
          ok = FALSE;
          break;
        }
      ok = write_page_rows (source, url, body, offset, out, &got, error);
      if (ok && got == 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_NETWORK, "%s: no rows from offset %" G_GINT64_FORMAT, url, offset);
          ok = FALSE;
        }
      offset += got;
      if (ok && options->progress != NULL)
        options->progress (source->key, source->name, offset, source->rows, options->user_data);
    }
  if (fclose (out) != 0 && ok)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "cannot write %s", part);
      ok = FALSE;
    }
  if (!ok)
    g_unlink (part);
  return ok;
}

/* ---- one file ---- */

/* Verifies part against source (and the checksum recorded at dest for an unpinned source), installs it
 * at dest and records its checksum when none was pinned or recorded. */
static gboolean
verify_and_install (const FtcDatasetSource *source, const char *part, const char *dest, const char *what,
                    GError **error)
{
  g_autofree char *recorded = source->sha256 == NULL ? recorded_sha256 (dest) : NULL;
  g_autofree char *sha256 = NULL;
  g_autoptr (GError) verify_error = NULL;

  if (!verify_with (source, part, source->sha256 != NULL ? source->sha256 : recorded, &sha256, &verify_error))
    {
      /* never keep or install a corrupt file */
      g_unlink (part);
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: corrupt download, removed (%s)", what,
                   verify_error->message);
      return FALSE;
    }
  if (source->sha256 == NULL && recorded == NULL && !record_sha256 (dest, sha256, error))
    return FALSE;
  return install_part (part, dest, error);
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
  else if (source->rows > 0)
    {
      if (!fetch_rows (source, options, part, error))
        return FALSE;
      return verify_and_install (source, part, dest, source->url, error);
    }
  else
    url = g_strdup (source->url);

  for (guint attempt = 0; attempt <= options->retries; attempt++)
    {
      gboolean retry = FALSE;

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
      return verify_and_install (source, part, dest, url, error);
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

static const char *
mirror_of (const FtcFetchOptions *options)
{
  const char *env = g_getenv ("FTCOT_DATASET_MIRROR");

  if (options->mirror != NULL)
    return options->mirror;
  return env != NULL && *env != '\0' ? env : NULL;
}

gboolean
ftc_dataset_fetch_source (const FtcDatasetSource *source, const FtcFetchOptions *options, GError **error)
{
  FtcFetchOptions defaults = { 0 };
  g_autofree char *dir = NULL;

  if (options == NULL)
    {
      defaults.retries = 2;
      options = &defaults;
    }
  if ((dir = dest_dir (options->data_dir, source->key, error)) == NULL)
    return FALSE;
  curl_init_once ();
  return fetch_one (source, options, mirror_of (options), dir, error);
}

gboolean
ftc_dataset_fetch (const char *key, const FtcFetchOptions *options, GError **error)
{
  FtcFetchOptions defaults = { 0 };

  if (!check_key (key, error))
    return FALSE;
  if (options == NULL)
    {
      defaults.retries = 2;
      options = &defaults;
    }
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (strcmp (sources[i].key, key) == 0 && !ftc_dataset_fetch_source (&sources[i], options, error))
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
      g_autofree char *recorded = NULL;
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
      src = ftc_path_exists (nested) ? nested : flat;
      if (!ftc_path_exists (src))
        {
          if (optional)
            continue;
          g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s: %s not found in %s", key, s->name, from_dir);
          return FALSE;
        }
      {
        /* there, but a FIFO, a device or a folder: said so (without opening it to wait) */
        int fd = ftc_file_open_regular (src, FTC_INPUT_DATA, NULL, error);
        if (fd < 0)
          return FALSE;
        close (fd);
      }
      dest = g_build_filename (dir, s->name, NULL);
      /* an unpinned file must match what was recorded at its first installation */
      recorded = s->sha256 == NULL ? recorded_sha256 (dest) : NULL;
      if (!verify_with (s, src, s->sha256 != NULL ? s->sha256 : recorded, NULL, error))
        return FALSE;
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
      if (!verify_and_install (s, part, dest, src, error))
        return FALSE;
    }
  return TRUE;
}
