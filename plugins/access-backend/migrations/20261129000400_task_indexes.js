// @ts-check

/**
 * Partial indexes for what the periodic tasks look for every few seconds: revocations and
 * clean-ups under way, and extensions the target has not confirmed. Both sets are small,
 * so the tasks read a few index entries instead of scanning every request.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.index(
      ['status', 'next_attempt_at', 'updated_at'],
      'access_requests_ending_idx',
      {
        predicate: knex.whereNotNull('ending'),
      },
    );
    table.index(['extend_retry_at'], 'access_requests_extend_retry_idx', {
      predicate: knex.whereNotNull('extend_retry_at'),
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropIndex([], 'access_requests_ending_idx');
    table.dropIndex([], 'access_requests_extend_retry_idx');
  });
};
