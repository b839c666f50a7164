//! The cross-backend conformance suite: behaviour every [`Backend`] must show, written once
//! against the trait and checked against `/work/shared/reference/appwrite-api.md` (cited as §n).
//!
//! A test file picks a backend by giving a fixture factory to the macros below:
//!
//! ```ignore
//! #[macro_use]
//! mod conformance;
//! fn my_fixture(o: conformance::FixtureOptions) -> conformance::FixtureFuture { … }
//! conformance_suite!(my_fixture);             // every backend
//! conformance_persistence_suite!(my_fixture); // only backends that can reopen their storage
//! ```
//!
//! Each case is an `async fn(Env)` in one of the modules; adding a case means writing the function
//! and adding its name to the list in [`conformance_suite!`] (or [`conformance_persistence_suite!`]).
//! Every case gets fresh backends from the factory, so cases share nothing.
#![allow(dead_code)]

pub mod support;

pub mod bulk;
pub mod columns;
pub mod databases;
pub mod encryption;
pub mod indexes;
pub mod limits;
pub mod pagination;
pub mod persistence;
pub mod queries;
pub mod regex_and_elem_match;
pub mod relationships;
pub mod rows;
pub mod spatial;
pub mod tables;
pub mod transactions;

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::backend::Backend;

/// What a case asks of the backend it gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixtureOptions {
    /// How long new columns and indexes stay `processing` before they become `available`.
    pub column_delay: Duration,
    /// Store on disk so that [`Fixture::reopen`] sees the same data (persistence cases only).
    pub persistent: bool,
}

impl FixtureOptions {
    /// Options with this column delay.
    pub fn delayed(column_delay: Duration) -> Self {
        Self {
            column_delay,
            ..Self::default()
        }
    }
}

/// The future a factory returns.
pub type FixtureFuture = Pin<Box<dyn Future<Output = Fixture> + Send>>;

/// Makes a fresh backend for one case.
pub type Factory = fn(FixtureOptions) -> FixtureFuture;

/// Opens the fixture's storage again (after the previous backend was dropped).
pub type Reopen = Box<dyn Fn() -> appwrite_orm::Result<Arc<dyn Backend>> + Send + Sync>;

/// A backend for one case, plus whatever must outlive it (a temporary directory, a server).
pub struct Fixture {
    backend: Arc<dyn Backend>,
    reopen: Option<Reopen>,
    keep: Vec<Box<dyn Any + Send + Sync>>,
    /// False for a real server: how long its columns stay `processing` is its own business,
    /// not [`FixtureOptions::column_delay`].
    delay_is_set: bool,
}

impl Fixture {
    /// A fixture that cannot reopen its storage.
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        Self {
            backend,
            reopen: None,
            keep: Vec::new(),
            delay_is_set: true,
        }
    }

    /// Marks a real server, whose column timing the options do not set (builder style).
    pub fn on_real_server(mut self) -> Self {
        self.delay_is_set = false;
        self
    }

    /// False when the backend is a real server: a case that needs a column to stay
    /// `processing` for a while (or to be `available` at once) skips itself, saying so.
    pub fn column_timing_is_set(&self) -> bool {
        if !self.delay_is_set {
            eprintln!("skipped on a real server: it sets its own column timing");
        }
        self.delay_is_set
    }

    /// False when the backend is a real server: a case that checks where the engine knowingly
    /// answers otherwise than Appwrite (the README's known differences) skips itself, saying so.
    pub fn is_emulated(&self) -> bool {
        if !self.delay_is_set {
            eprintln!("skipped on a real server: it checks a known difference from Appwrite");
        }
        self.delay_is_set
    }

    /// Keeps `value` alive as long as the fixture (builder style).
    pub fn keep(mut self, value: impl Any + Send + Sync) -> Self {
        self.keep.push(Box::new(value));
        self
    }

    /// Says how to open the same storage again (builder style).
    pub fn with_reopen(mut self, reopen: Reopen) -> Self {
        self.reopen = Some(reopen);
        self
    }

    /// The backend under test.
    pub fn b(&self) -> &dyn Backend {
        &*self.backend
    }

    /// The backend as a shared handle.
    pub fn backend(&self) -> Arc<dyn Backend> {
        self.backend.clone()
    }

    /// Whether [`reopen`](Self::reopen) is supported.
    pub fn can_reopen(&self) -> bool {
        self.reopen.is_some()
    }

    /// Drops the backend (closing its storage) and opens the same storage again.
    pub fn reopen(self) -> Fixture {
        let Fixture {
            backend,
            reopen,
            keep,
            delay_is_set,
        } = self;
        let reopen = reopen.expect("this fixture cannot reopen its storage");
        assert_eq!(
            Arc::strong_count(&backend),
            1,
            "a case still holds the backend while reopening"
        );
        drop(backend);
        let backend = reopen().expect("reopening the storage");
        Fixture {
            backend,
            reopen: Some(reopen),
            keep,
            delay_is_set,
        }
    }
}

/// What a case receives: a way to get fixtures.
#[derive(Clone, Copy)]
pub struct Env {
    factory: Factory,
}

impl Env {
    /// Wraps a factory.
    pub fn new(factory: Factory) -> Self {
        Self { factory }
    }

    /// A fresh backend with default options (no column delay, not persistent).
    pub async fn fixture(&self) -> Fixture {
        (self.factory)(FixtureOptions::default()).await
    }

    /// A fresh backend with these options.
    pub async fn fixture_with(&self, options: FixtureOptions) -> Fixture {
        (self.factory)(options).await
    }
}

/// Emits one `#[tokio::test]` per case, grouped in one module per case module.
#[macro_export]
macro_rules! conformance_cases {
    ($factory:ident; $( $module:ident { $( $case:ident ),* $(,)? } )*) => {
        $(
            mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let env = $crate::conformance::Env::new(super::$factory);
                        $crate::conformance::$module::$case(env).await;
                    }
                )*
            }
        )*
    };
}

/// The suite every backend runs: `conformance_suite!(factory_fn);` at the root of a test file.
#[macro_export]
macro_rules! conformance_suite {
    ($factory:expr) => {
        const __CONFORMANCE_FACTORY: $crate::conformance::Factory = $factory;
        $crate::conformance_cases! { __CONFORMANCE_FACTORY;
            databases {
                create_database_then_get_returns_it,
                create_database_with_unique_id_generates_hex_id,
                duplicate_database_id_is_conflict,
                get_missing_database_is_not_found,
                delete_database_removes_it_and_its_tables,
                delete_missing_database_is_not_found,
                list_databases_counts_all,
                list_databases_filters_by_name,
                invalid_database_ids_are_rejected,
                database_name_longer_than_128_is_rejected,
                table_calls_on_missing_database_are_not_found,
            }
            tables {
                create_table_then_get_returns_it,
                duplicate_table_id_is_conflict,
                get_missing_table_is_not_found,
                list_tables_counts_all_and_filters_by_name,
                list_tables_sorts_by_every_order_in_turn,
                update_table_changes_settings_and_keeps_columns,
                update_missing_table_is_not_found,
                delete_table_removes_its_rows,
                inline_columns_and_indexes_are_available_at_once,
                invalid_table_id_is_rejected,
                row_calls_on_missing_table_are_not_found,
            }
            columns {
                varchar_round_trips,
                varchar_longer_than_size_is_rejected_with_message,
                text_round_trips,
                text_rejects_non_string,
                mediumtext_round_trips_a_long_value,
                longtext_round_trips_a_long_value,
                legacy_string_round_trips_and_enforces_size,
                integer_without_bounds_accepts_i64_extremes,
                integer_rejects_float_and_string,
                integer_with_bounds_rejects_out_of_range_with_message,
                bigint_accepts_numeric_string,
                bigint_rejects_non_numeric_string,
                float_accepts_integer_and_fraction,
                float_rejects_string_with_message,
                boolean_round_trips,
                boolean_is_strict_with_message,
                datetime_is_normalised_to_utc_millis,
                datetime_keeps_canonical_value_byte_identical,
                datetime_rejects_garbage_and_out_of_range,
                email_round_trips_and_rejects_invalid,
                url_round_trips_and_rejects_invalid,
                ip_accepts_v4_and_v6_and_rejects_invalid,
                enum_accepts_element_and_rejects_other_with_message,
                array_round_trips_and_validates_elements,
                array_rejects_scalar_with_message,
                unknown_attribute_is_rejected_with_message,
                missing_required_attribute_is_rejected_with_message,
                column_models_report_kind_settings,
                create_column_answers_processing_then_available,
                create_column_without_delay_is_available_on_next_get,
                processing_column_is_listed_with_its_status,
                writing_a_processing_column_is_unknown_attribute,
                querying_a_processing_column_is_invalid_query,
                updating_a_processing_column_is_not_available,
                duplicate_column_key_is_conflict,
                default_on_required_column_is_unsupported,
                default_on_array_column_is_unsupported,
                default_of_the_wrong_json_type_is_an_invalid_argument,
                invalid_default_is_rejected,
                get_missing_column_is_not_found,
                delete_column_removes_it_eventually,
                delete_column_used_by_index_takes_it_out_of_the_index,
                update_column_required_is_enforced,
                update_column_default_applies_to_new_rows,
                float_default_is_kept_as_a_float,
                update_column_size_grows,
                shrinking_size_below_existing_data_is_invalid_resize,
                update_column_with_new_key_renames_it,
                added_column_default_is_not_backfilled,
            }
            indexes {
                create_list_get_and_delete_index,
                index_answers_processing_then_available,
                unique_index_refuses_duplicate_value,
                unique_index_checks_updates_too,
                fulltext_index_on_non_string_is_invalid,
                index_on_array_column_is_invalid,
                index_on_unknown_column_is_column_unknown,
                index_on_processing_column_is_not_available,
                duplicate_index_key_is_conflict,
                get_missing_index_is_not_found,
                index_may_cover_system_columns,
            }
            rows {
                create_row_with_given_id,
                create_row_without_data_is_missing_data,
                create_row_with_unique_id_generates_hex_id,
                system_fields_have_exact_shapes,
                sequence_increases_with_each_insert,
                permissions_round_trip_and_default_to_empty,
                write_permission_expands_to_update_and_delete,
                get_missing_row_is_not_found,
                duplicate_row_id_is_conflict,
                invalid_row_ids_are_rejected,
                update_row_is_partial,
                update_row_keeps_permissions_when_none,
                update_missing_row_is_not_found,
                update_row_without_data_or_permissions_is_missing_payload,
                update_row_with_unknown_attribute_is_invalid_structure,
                upsert_row_inserts_when_missing,
                upsert_row_merges_when_present,
                delete_row_removes_it,
                delete_missing_row_is_not_found,
                default_applied_on_create,
                explicit_null_on_column_with_default_stores_default,
                optional_column_without_value_reads_null,
                single_row_update_writes_default_of_unmentioned_column,
                get_row_select_returns_selected_columns_and_system_fields,
                list_select_returns_selected_columns_and_system_fields,
                unknown_select_is_invalid_query,
                incoming_system_fields_are_ignored,
            }
            bulk {
                create_rows_creates_one_hundred,
                create_rows_refuses_more_than_one_hundred,
                create_rows_is_atomic_on_invalid_row,
                create_rows_is_atomic_on_duplicate_id,
                create_rows_honours_ids_and_permissions,
                upsert_rows_inserts_and_merges,
                update_rows_by_filter_reports_total_changed,
                update_rows_without_filter_updates_all,
                delete_rows_by_filter_reports_total_deleted,
                increment_adds_value,
                increment_past_max_is_limit_exceeded_and_row_unchanged,
                decrement_past_min_is_limit_exceeded_and_row_unchanged,
                increment_non_numeric_column_is_type_invalid,
                increment_missing_row_is_not_found,
                increment_float_column_by_fraction,
            }
            queries {
                equal_single_value,
                equal_with_several_values_matches_any,
                equal_on_boolean,
                not_equal_excludes_nulls,
                less_than_and_less_than_equal,
                greater_than_and_greater_than_equal,
                comparisons_on_float,
                comparisons_on_datetime,
                between_is_inclusive,
                not_between_is_outside_inclusive_range,
                starts_with_and_not_starts_with,
                ends_with_and_not_ends_with,
                contains_on_string_is_substring,
                contains_on_array_matches_any_element,
                contains_any_matches_any_value,
                contains_all_needs_every_value,
                not_contains_on_array,
                not_contains_on_string,
                search_matches_whole_word,
                search_without_fulltext_index_is_invalid,
                not_search_excludes_matches,
                is_null_and_is_not_null,
                exists_and_not_exists,
                select_limits_returned_columns,
                order_asc_puts_nulls_first_and_breaks_ties_by_sequence,
                order_desc_puts_nulls_last_and_breaks_ties_by_sequence_ascending,
                order_on_two_columns,
                order_random_returns_the_same_set,
                limit_and_offset,
                default_limit_is_25_and_total_counts_all,
                default_order_is_insertion,
                total_counts_all_matches_not_just_page,
                cursor_after_returns_next_page,
                cursor_before_returns_previous_page_in_normal_order,
                cursor_after_with_order_desc,
                and_requires_every_filter,
                or_matches_any_filter,
                nested_and_or,
                filter_on_id,
                type_mismatch_value_is_invalid_query,
                unknown_attribute_is_invalid_query,
                more_than_100_queries_is_rejected,
                more_than_500_values_is_rejected,
                query_longer_than_4096_chars_is_an_invalid_argument,
                cursor_on_missing_row_is_cursor_not_found,
                cursor_row_with_null_in_order_column_is_refused,
                equal_on_array_column_is_invalid_query,
                logical_query_with_one_filter_is_invalid,
                limit_zero_is_invalid,
            }
            regex_and_elem_match {
                regex_matches_anywhere_unless_anchored,
                regex_on_system_and_nullable_columns,
                regex_honours_inline_case_flag,
                regex_value_of_the_wrong_type_is_invalid_query,
                regex_on_array_or_unknown_column_is_invalid_query,
                regex_on_non_string_column_is_refused_by_the_engine,
                invalid_regex_pattern_is_invalid_query_in_the_engine,
                regex_inside_logical_queries,
                elem_match_is_refused_on_tables,
                elem_match_checks_its_sub_queries_first,
            }
            pagination {
                cursor_pagination_visits_every_row_once,
                cursor_pagination_survives_inserts_between_pages,
                cursor_pagination_over_many_ties,
                cursor_pagination_with_filter_and_order_desc,
                cursor_before_walks_back_to_the_start,
                offset_pagination_visits_every_row_once,
            }
            limits {
                more_than_1010_columns_is_limit_exceeded,
                row_width_over_limit_is_limit_exceeded,
                more_than_58_indexes_is_limit_exceeded,
                more_than_100_inline_columns_is_rejected,
                enum_with_more_than_100_elements_is_rejected,
                enum_element_longer_than_255_is_rejected,
                varchar_size_above_16381_is_rejected,
                string_at_size_is_accepted_one_more_is_rejected,
                size_counts_characters_not_bytes,
                integer_outside_32_bit_on_small_column,
                key_longer_than_36_is_rejected,
            }
            transactions {
                create_transaction_is_pending_with_no_operations,
                get_missing_transaction_is_not_found,
                ttl_out_of_range_is_rejected,
                staged_operations_are_counted,
                staged_rows_are_invisible_until_commit,
                commit_applies_create_update_and_delete,
                rollback_applies_nothing,
                failing_operation_fails_commit_and_applies_nothing,
                reads_inside_transaction_see_staged_rows,
                commit_twice_is_not_ready,
                staging_after_commit_is_not_ready,
                more_than_100_operations_is_limit_exceeded,
                bulk_operations_commit_together,
                row_changed_after_staging_fails_commit,
                commit_without_outside_changes_succeeds,
                rows_changed_before_staging_do_not_conflict,
                delete_of_row_changed_after_staging_conflicts,
                upsert_and_bulk_writes_over_changed_rows_conflict,
                increment_over_changed_row_does_not_conflict,
                rows_the_transaction_wrote_do_not_conflict_with_it,
                row_existing_at_commit_is_a_conflict,
            }
            relationships {
                two_way_relationship_creates_its_twin,
                nested_row_is_created_and_loaded_by_select,
                to_many_side_takes_arrays_and_replaces_links,
                filters_on_and_through_relationships,
                restrict_refuses_deleting_a_referenced_row,
                set_null_unlinks_on_delete,
                cascade_deletes_through_a_chain,
                many_to_many_loads_from_both_sides,
                relationship_values_of_the_wrong_shape_are_refused,
                bulk_writes_are_refused_on_tables_with_relationships,
                relationship_update_and_delete_act_on_both_sides,
                one_way_on_delete_applies_from_the_related_side,
                loaded_rows_leave_out_the_way_back_and_stop_two_levels_down,
            }
            spatial {
                spatial_columns_round_trip_as_coordinate_arrays,
                spatial_defaults_fill_missing_values_and_update_in_place,
                spatial_values_are_checked_with_appwrites_messages,
                spatial_column_settings_are_checked,
                spatial_index_rules,
                distance_queries_measure_in_meters_or_coordinate_units,
                relation_queries_follow_the_geometry,
                equal_and_contains_on_spatial_columns_are_geometric,
                spatial_query_misuse_is_refused,
            }
            encryption {
                encrypted_varchar_reads_back_with_encrypt_true,
                encrypted_varchar_under_150_is_refused,
                queries_on_an_encrypted_column_are_refused,
                an_update_keeps_the_encryption,
            }
        }
    };
}

/// The cases that drop the backend and open its storage again; only for fixtures that can
/// reopen (`FixtureOptions::persistent`). `conformance_persistence_suite!(factory_fn);`
#[macro_export]
macro_rules! conformance_persistence_suite {
    ($factory:expr) => {
        const __PERSISTENCE_FACTORY: $crate::conformance::Factory = $factory;
        $crate::conformance_cases! { __PERSISTENCE_FACTORY;
            persistence {
                file_storage_keeps_data_across_reopen,
                file_storage_keeps_schema_across_reopen,
                file_storage_continues_sequence_after_reopen,
                file_storage_keeps_indexes_enforced_after_reopen,
                memory_storage_is_fresh_after_reopen,
            }
        }
    };
}
