/* ftc-review-page.h: the rationale review view: every teacher rationale of the experiment in a table with
 * filters and search; accept (a), reject (r), edit (e); decisions saved to review.jsonl as they are made. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  FTC_REVIEW_FILTER_ALL,
  FTC_REVIEW_FILTER_PENDING,
  FTC_REVIEW_FILTER_CORRECT,
  FTC_REVIEW_FILTER_INCORRECT,
  FTC_REVIEW_FILTER_TRUNCATED,
  FTC_REVIEW_FILTER_EDITED,
  FTC_REVIEW_FILTER_ACCEPTED,
  FTC_REVIEW_FILTER_REJECTED,
} FtcReviewFilter;

typedef struct {
  guint total, shown, pending, accepted, rejected, edited, correct, truncated, kept;
} FtcReviewCounts;

#define FTC_TYPE_REVIEW_PAGE (ftc_review_page_get_type ())
G_DECLARE_FINAL_TYPE (FtcReviewPage, ftc_review_page, FTC, REVIEW_PAGE, GtkWidget)

GtkWidget *ftc_review_page_new (void);

/* Loads dir's rationales on a worker thread; "loading" is TRUE until they show. NULL clears the view. */
void ftc_review_page_set_directory (FtcReviewPage *self, const char *dir);
gboolean ftc_review_page_get_loading (FtcReviewPage *self);
/* The last load error, or NULL. */
const char *ftc_review_page_get_error (FtcReviewPage *self);

/* The rows as shown (filtered): FtcRationaleItem. */
GListModel *ftc_review_page_get_model (FtcReviewPage *self);
void ftc_review_page_set_filter (FtcReviewPage *self, FtcReviewFilter filter);
void ftc_review_page_set_search (FtcReviewPage *self, const char *text);
/* -1 shows every sample. */
void ftc_review_page_set_sample (FtcReviewPage *self, int index);
void ftc_review_page_select (FtcReviewPage *self, guint position);
/* Position of the selected row among the shown ones, or GTK_INVALID_LIST_POSITION. */
guint ftc_review_page_get_selected (FtcReviewPage *self);
void ftc_review_page_get_counts (FtcReviewPage *self, FtcReviewCounts *counts);
const char *ftc_review_page_get_counts_text (FtcReviewPage *self);
/* Waits until every decision made so far is on disk. */
gboolean ftc_review_page_flush (FtcReviewPage *self, GError **error);

G_END_DECLS
