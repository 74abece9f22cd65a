#include "app/studio/ftc-review-page.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-rationale-item.h"
#include "app/studio/ftc-review-store.h"

struct _FtcReviewPage
{
  GtkWidget parent_instance;

  GtkDropDown *filter_dropdown;
  GtkSearchEntry *search_entry;
  GtkEntry *sample_entry;
  GtkLabel *counts_label;
  GtkStack *list_stack;
  GtkLabel *empty_label;
  GtkColumnView *column_view;
  GtkColumnViewColumn *correct_column;
  GtkLabel *detail_title;
  GtkLabel *detail_question;
  GtkTextView *rationale_view;
  GtkLabel *detail_answer;
  GtkLabel *error_label;

  GListStore *store;             /* FtcRationaleItem, all of them */
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;
  FtcReviewFilter mode;
  char *search;                  /* casefolded, or NULL */
  int sample;                    /* -1: all */
  char *directory;
  GCancellable *cancellable;
  FtcReviewLog *log;
  gboolean loading;
  char *error;
  char *counts_text;
};

G_DEFINE_FINAL_TYPE (FtcReviewPage, ftc_review_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOADING, N_PROPS };
static GParamSpec *props[N_PROPS];

static gboolean
contains_casefold (const char *haystack, const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_func (gpointer object, gpointer user_data)
{
  FtcReviewPage *self = user_data;
  FtcRationaleItem *item = object;
  gboolean keep;

  switch (self->mode)
    {
    case FTC_REVIEW_FILTER_PENDING: keep = ftc_rationale_item_get_state (item) == FTC_REVIEW_PENDING; break;
    case FTC_REVIEW_FILTER_CORRECT: keep = ftc_rationale_item_get_correct (item); break;
    case FTC_REVIEW_FILTER_INCORRECT: keep = !ftc_rationale_item_get_correct (item); break;
    case FTC_REVIEW_FILTER_TRUNCATED: keep = ftc_rationale_item_get_truncated (item); break;
    case FTC_REVIEW_FILTER_EDITED: keep = ftc_rationale_item_get_edited (item); break;
    case FTC_REVIEW_FILTER_ACCEPTED: keep = ftc_rationale_item_get_state (item) == FTC_REVIEW_ACCEPTED; break;
    case FTC_REVIEW_FILTER_REJECTED: keep = ftc_rationale_item_get_state (item) == FTC_REVIEW_REJECTED; break;
    case FTC_REVIEW_FILTER_ALL:
    default: keep = TRUE;
    }
  if (keep && self->sample >= 0)
    keep = ftc_rationale_item_get_index (item) == self->sample;
  if (keep && self->search != NULL)
    keep = contains_casefold (ftc_rationale_item_get_question (item), self->search) ||
           contains_casefold (ftc_rationale_item_get_effective_rationale (item), self->search) ||
           contains_casefold (ftc_rationale_item_get_prediction (item), self->search) ||
           contains_casefold (ftc_rationale_item_get_sample_id (item), self->search);
  return keep;
}

static void
update_counts (FtcReviewPage *self)
{
  FtcReviewCounts c;

  ftc_review_page_get_counts (self, &c);
  g_free (self->counts_text);
  /* Translators: the review counts above the table */
  self->counts_text = g_strdup_printf (_("%u of %u shown · %u pending · %u accepted · %u rejected · %u edited · "
                                         "%u correct · %u kept for training"),
                                       c.shown, c.total, c.pending, c.accepted, c.rejected, c.edited, c.correct,
                                       c.kept);
  gtk_label_set_text (self->counts_label, self->counts_text);
  gtk_stack_set_visible_child_name (self->list_stack, c.total > 0 ? "list" : "empty");
}

static FtcRationaleItem *
selected_item (FtcReviewPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
show_detail (FtcReviewPage *self)
{
  FtcRationaleItem *item = selected_item (self);
  g_autofree char *title = NULL, *answer = NULL;
  GtkTextBuffer *buf = gtk_text_view_get_buffer (self->rationale_view);
  gboolean any = item != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.accept", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.reject", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.edit", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.save-edit", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.revert", any);
  gtk_text_view_set_editable (self->rationale_view, any);
  if (!any)
    {
      gtk_label_set_text (self->detail_title, _("Select a rationale"));
      gtk_label_set_text (self->detail_question, "");
      gtk_label_set_text (self->detail_answer, "");
      gtk_text_buffer_set_text (buf, "", -1);
      return;
    }
  /* Translators: sample id, completion number, review state */
  title = g_strdup_printf (_("%s · rationale %d · %s"), ftc_rationale_item_get_sample_id (item),
                           ftc_rationale_item_get_completion_index (item) + 1,
                           ftc_review_state_to_string (ftc_rationale_item_get_state (item)));
  gtk_label_set_text (self->detail_title, title);
  gtk_label_set_text (self->detail_question, ftc_rationale_item_get_question (item));
  gtk_text_buffer_set_text (buf, ftc_rationale_item_get_effective_rationale (item), -1);
  answer = g_markup_printf_escaped (_("Extracted answer <b>%s</b> · gold <b>%s</b> · %s · finish reason %s"),
                                    ftc_rationale_item_get_prediction (item), ftc_rationale_item_get_gold (item),
                                    ftc_rationale_item_get_correct (item) ? _("correct") : _("wrong"),
                                    ftc_rationale_item_get_finish_reason (item));
  gtk_label_set_markup (self->detail_answer, answer);
}

static void
selection_changed (FtcReviewPage *self)
{
  show_detail (self);
}

/* Re-filters after a decision and moves the selection on to the next row, so a reviewer can keep
 * pressing a or r. */
static void
decided (FtcReviewPage *self, FtcRationaleItem *item, guint position)
{
  guint n;

  if (self->log != NULL)
    ftc_review_log_append (self->log, item);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  if (position < n)
    {
      g_autoptr (FtcRationaleItem) at = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
      /* still shown: go to the next row; filtered away: the next row took its place */
      if (at == item && position + 1 < n)
        position++;
      gtk_single_selection_set_selected (self->selection, position);
    }
  else if (n > 0)
    gtk_single_selection_set_selected (self->selection, n - 1);
  update_counts (self);
  show_detail (self);
  if (position < n)
    gtk_widget_activate_action (GTK_WIDGET (self->column_view), "list.scroll-to-item", "u", position);
}

static void
set_state (FtcReviewPage *self, FtcReviewState state)
{
  FtcRationaleItem *item = selected_item (self);
  guint position = gtk_single_selection_get_selected (self->selection);
  g_autoptr (FtcRationaleItem) keep = NULL;

  if (item == NULL)
    return;
  keep = g_object_ref (item);
  ftc_rationale_item_set_state (keep, state);
  decided (self, keep, position);
}

static void
accept_action (GtkWidget *widget, const char *name, GVariant *param)
{
  set_state (FTC_REVIEW_PAGE (widget), FTC_REVIEW_ACCEPTED);
}

static void
reject_action (GtkWidget *widget, const char *name, GVariant *param)
{
  set_state (FTC_REVIEW_PAGE (widget), FTC_REVIEW_REJECTED);
}

static void
edit_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcReviewPage *self = FTC_REVIEW_PAGE (widget);

  if (selected_item (self) != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->rationale_view));
}

static void
save_edit_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcReviewPage *self = FTC_REVIEW_PAGE (widget);
  FtcRationaleItem *item = selected_item (self);
  guint position = gtk_single_selection_get_selected (self->selection);
  GtkTextBuffer *buf = gtk_text_view_get_buffer (self->rationale_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autoptr (FtcRationaleItem) keep = NULL;

  if (item == NULL)
    return;
  keep = g_object_ref (item);
  gtk_text_buffer_get_bounds (buf, &start, &end);
  text = gtk_text_buffer_get_text (buf, &start, &end, FALSE);
  ftc_rationale_item_set_edited_rationale (keep, text);
  /* an edited rationale is one the reviewer vouches for */
  ftc_rationale_item_set_state (keep, FTC_REVIEW_ACCEPTED);
  decided (self, keep, position);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
revert_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcReviewPage *self = FTC_REVIEW_PAGE (widget);
  FtcRationaleItem *item = selected_item (self);
  guint position = gtk_single_selection_get_selected (self->selection);
  g_autoptr (FtcRationaleItem) keep = NULL;

  if (item == NULL)
    return;
  keep = g_object_ref (item);
  ftc_rationale_item_set_edited_rationale (keep, NULL);
  ftc_rationale_item_set_state (keep, FTC_REVIEW_PENDING);
  if (self->log != NULL)
    ftc_review_log_append (self->log, keep);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->filtered)))
    gtk_single_selection_set_selected (self->selection, position);
  update_counts (self);
  show_detail (self);
}

static void
refilter (FtcReviewPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_counts (self);
  show_detail (self);
}

static void
filter_selected (FtcReviewPage *self)
{
  self->mode = (FtcReviewFilter) gtk_drop_down_get_selected (self->filter_dropdown);
  refilter (self);
}

static void
search_changed (FtcReviewPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_clear_pointer (&self->search, g_free);
  if (text != NULL && *text != '\0')
    self->search = g_utf8_casefold (text, -1);
  refilter (self);
}

static void
sample_changed (FtcReviewPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->sample_entry));
  char *end = NULL;
  gint64 v;

  self->sample = -1;
  if (text != NULL && *text != '\0')
    {
      v = g_ascii_strtoll (text, &end, 10);
      self->sample = end != NULL && *end == '\0' && v >= 0 && v <= G_MAXINT ? (int) v : G_MAXINT;
    }
  refilter (self);
}

static void
log_error (const char *message, GObject *owner)
{
  FtcReviewPage *self = FTC_REVIEW_PAGE (owner);
  g_autofree char *text = g_strdup_printf (_("Could not save the decision: %s"), message);

  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcReviewPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = ftc_review_store_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  g_clear_pointer (&self->error, g_free);
  if (items == NULL)
    {
      self->error = g_strdup (error->message);
      gtk_label_set_text (self->empty_label, error->message);
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }
  else
    {
      g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                           items->pdata, items->len);
      g_clear_pointer (&self->log, ftc_review_log_free);
      self->log = ftc_review_log_new (self->directory, log_error, G_OBJECT (self));
      update_counts (self);
      if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
        gtk_single_selection_set_selected (self->selection, 0);
      show_detail (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

void
ftc_review_page_set_directory (FtcReviewPage *self, const char *dir)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->log, ftc_review_log_free);
  g_list_store_remove_all (self->store);
  g_free (self->directory);
  self->directory = g_strdup (dir);
  gtk_label_set_text (self->empty_label, _("No rationales yet: the teacher has not answered."));
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update_counts (self);
  show_detail (self);
  if (dir == NULL)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
      return;
    }
  self->loading = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
  self->cancellable = g_cancellable_new ();
  ftc_review_store_load_async (dir, self->cancellable, loaded, g_object_ref (self));
}

static void
correct_setup (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (list_item, label);
}

static void
correct_bind (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);
  FtcRationaleItem *item = gtk_list_item_get_item (list_item);
  gboolean ok = ftc_rationale_item_get_correct (item);

  gtk_label_set_text (GTK_LABEL (label), ok ? _("✓ correct") : _("✗ wrong"));
  gtk_widget_remove_css_class (label, ok ? "error" : "success");
  gtk_widget_add_css_class (label, ok ? "success" : "error");
}

static void
ftc_review_page_dispose (GObject *object)
{
  FtcReviewPage *self = FTC_REVIEW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->log, ftc_review_log_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), FTC_TYPE_REVIEW_PAGE);
  /* the template's unbound top-level children too */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (ftc_review_page_parent_class)->dispose (object);
}

static void
ftc_review_page_finalize (GObject *object)
{
  FtcReviewPage *self = FTC_REVIEW_PAGE (object);

  g_free (self->search);
  g_free (self->directory);
  g_free (self->error);
  g_free (self->counts_text);
  G_OBJECT_CLASS (ftc_review_page_parent_class)->finalize (object);
}

static void
ftc_review_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FtcReviewPage *self = FTC_REVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOADING: g_value_set_boolean (value, self->loading); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_review_page_class_init (FtcReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_review_page_dispose;
  object_class->finalize = ftc_review_page_finalize;
  object_class->get_property = ftc_review_page_get_property;
  props[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  g_type_ensure (FTC_TYPE_RATIONALE_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ftcot/Studio/ftc-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, sample_entry);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, counts_label);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, empty_label);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, correct_column);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, detail_question);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, rationale_view);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, detail_answer);
  gtk_widget_class_bind_template_child (widget_class, FtcReviewPage, error_label);

  gtk_widget_class_install_action (widget_class, "review.accept", NULL, accept_action);
  gtk_widget_class_install_action (widget_class, "review.reject", NULL, reject_action);
  gtk_widget_class_install_action (widget_class, "review.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "review.save-edit", NULL, save_edit_action);
  gtk_widget_class_install_action (widget_class, "review.revert", NULL, revert_action);
  /* Bubble-phase bindings: the search entry and the text view keep their own typing. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "review.accept", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "review.reject", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, 0, "review.edit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "review.save-edit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "review.save-edit", NULL);
}

static void
ftc_review_page_init (FtcReviewPage *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->sample = -1;
  self->store = g_list_store_new (FTC_TYPE_RATIONALE_ITEM);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->store)), GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (selection_changed), self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (correct_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (correct_bind), NULL);
  gtk_column_view_column_set_factory (self->correct_column, factory);
  g_object_unref (factory);

  g_signal_connect_swapped (self->filter_dropdown, "notify::selected", G_CALLBACK (filter_selected), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed), self);
  g_signal_connect_swapped (self->sample_entry, "changed", G_CALLBACK (sample_changed), self);
  update_counts (self);
  show_detail (self);
}

GtkWidget *
ftc_review_page_new (void)
{
  return g_object_new (FTC_TYPE_REVIEW_PAGE, NULL);
}

gboolean ftc_review_page_get_loading (FtcReviewPage *self) { return self->loading; }
const char *ftc_review_page_get_error (FtcReviewPage *self) { return self->error; }
GListModel *ftc_review_page_get_model (FtcReviewPage *self) { return G_LIST_MODEL (self->filtered); }
const char *ftc_review_page_get_counts_text (FtcReviewPage *self) { return self->counts_text; }

void
ftc_review_page_set_filter (FtcReviewPage *self, FtcReviewFilter filter)
{
  gtk_drop_down_set_selected (self->filter_dropdown, filter);
}

void
ftc_review_page_set_search (FtcReviewPage *self, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* the entry's own signal comes after a typing delay; a caller setting text wants it now */
  search_changed (self);
}

void
ftc_review_page_set_sample (FtcReviewPage *self, int index)
{
  g_autofree char *text = index >= 0 ? g_strdup_printf ("%d", index) : g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (self->sample_entry), text);
}

void
ftc_review_page_select (FtcReviewPage *self, guint position)
{
  gtk_single_selection_set_selected (self->selection, position);
}

guint
ftc_review_page_get_selected (FtcReviewPage *self)
{
  return gtk_single_selection_get_selected (self->selection);
}

void
ftc_review_page_get_counts (FtcReviewPage *self, FtcReviewCounts *c)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  memset (c, 0, sizeof *c);
  c->total = n;
  c->shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcRationaleItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      switch (ftc_rationale_item_get_state (item))
        {
        case FTC_REVIEW_ACCEPTED: c->accepted++; break;
        case FTC_REVIEW_REJECTED: c->rejected++; break;
        case FTC_REVIEW_PENDING: default: c->pending++; break;
        }
      c->edited += ftc_rationale_item_get_edited (item);
      c->correct += ftc_rationale_item_get_correct (item);
      c->truncated += ftc_rationale_item_get_truncated (item);
      c->kept += ftc_rationale_item_get_kept (item);
    }
}

gboolean
ftc_review_page_flush (FtcReviewPage *self, GError **error)
{
  return self->log == NULL || ftc_review_log_flush (self->log, error);
}
