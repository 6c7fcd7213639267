// @ts-check

/**
 * Outbound webhook events, written in the transaction of the change they describe and
 * delivered afterwards (at least once, in order per request and webhook).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('access_webhook_outbox', table => {
    table.bigIncrements('id').primary();
    table.string('webhook_id').notNullable();
    // The request id, or `-` for events about no request; deliveries keep this order.
    table.string('order_key', 64).notNullable();
    table.string('event_type').notNullable();
    table.text('payload').notNullable();
    table.bigInteger('created_at').notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.bigInteger('next_attempt_at').notNullable();
    table.text('last_error');
    table.bigInteger('delivered_at');
    table.index(['delivered_at', 'next_attempt_at'], 'access_outbox_due_idx');
    table.index(['webhook_id', 'order_key', 'id'], 'access_outbox_order_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('access_webhook_outbox');
};
