// @ts-check

/**
 * The admin's "all requests" listing filters by flow: an index in the listing's order
 * (newest first, ties by id), so a page of one flow's requests reads a page of index
 * entries however many requests other flows have. Filters by requester and by entity
 * use `access_requests_requester_idx` and `access_request_entities_entity_idx`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.index(['flow_id', 'created_at', 'id'], 'access_requests_flow_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropIndex(
      ['flow_id', 'created_at', 'id'],
      'access_requests_flow_idx',
    );
  });
};
