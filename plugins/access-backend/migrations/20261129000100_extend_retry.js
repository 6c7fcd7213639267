// @ts-check

/**
 * An extension the target system has not confirmed yet: set in the transaction that moves
 * `expires_at`, cleared once the provisioner's `extend` succeeds, retried with backoff.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.bigInteger('extend_retry_at');
    table.integer('extend_attempts').notNullable().defaultTo(0);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropColumn('extend_retry_at');
    table.dropColumn('extend_attempts');
  });
};
