// @ts-check

/**
 * Remembers which check approved a request, so that grants approved by a re-verifying
 * check (PagerDuty on-call) can be checked again and revoked when it no longer holds.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.string('approved_by_check').nullable();
    table.index(['status', 'approved_by_check'], 'access_requests_check_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropIndex(
      ['status', 'approved_by_check'],
      'access_requests_check_idx',
    );
    table.dropColumn('approved_by_check');
  });
};
