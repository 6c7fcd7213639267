// @ts-check

/**
 * The id of the audit key that sealed each entry, so that the key can be rotated while
 * older entries keep verifying. Null for entries sealed before key ids (they verify with
 * the key derived from the access details key, up to the endorsed head only).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_audit', table => {
    table.string('key_id', 64).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_audit', table => {
    table.dropColumn('key_id');
  });
};
