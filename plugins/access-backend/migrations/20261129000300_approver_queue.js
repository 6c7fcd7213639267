// @ts-check

/**
 * An approver's queue, readable in index order: each approver row carries its request's
 * creation time and whether the request waits for a decision (kept by the store), so the
 * first page of Approvals reads a page of rows however large the tables grow.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_request_approvers', table => {
    table.bigInteger('created_at').nullable();
    table.boolean('open').notNullable().defaultTo(false);
  });
  await knex.raw(`
    UPDATE access_request_approvers SET
      created_at = (SELECT r.created_at FROM access_requests r
                     WHERE r.id = access_request_approvers.request_id),
      open = EXISTS (SELECT 1 FROM access_requests r
                      WHERE r.id = access_request_approvers.request_id
                        AND r.awaiting IS NOT NULL)`);
  await knex.schema.alterTable('access_request_approvers', table => {
    table.index(
      ['approver', 'open', 'created_at', 'request_id'],
      'access_request_approvers_queue_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_request_approvers', table => {
    table.dropIndex([], 'access_request_approvers_queue_idx');
    table.dropColumn('created_at');
    table.dropColumn('open');
  });
};
