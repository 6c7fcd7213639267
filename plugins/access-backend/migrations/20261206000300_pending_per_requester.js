// @ts-check

/**
 * Every submission counts the requester's pending requests (`access.limits.openPendingPerUser`):
 * an index by requester and status reads only those, however many ended requests the
 * requester has.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.index(
      ['requester', 'status'],
      'access_requests_requester_status_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropIndex(
      ['requester', 'status'],
      'access_requests_requester_status_idx',
    );
  });
};
