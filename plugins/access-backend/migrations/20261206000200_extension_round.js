// @ts-check

/**
 * The voting round of the extension waiting for approval: each extension put to the
 * approvers gets a new one, so votes on an attempt that was cancelled, rejected or ended
 * never count towards the next (`access_approvals.round` of kind `extension`). Existing
 * rows start at `extensions_used`, the round their pending extension's votes already carry.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.integer('extension_round').notNullable().defaultTo(0);
  });
  await knex('access_requests').update({
    extension_round: knex.ref('extensions_used'),
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropColumn('extension_round');
  });
};
