// @ts-check

/**
 * Tamper evidence for the audit trail: each entry is sealed after it commits with its
 * place in one chain (`seq`), the previous entry's MAC and its own (HMAC-SHA256 over both).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_audit', table => {
    table.bigInteger('seq').nullable().unique('access_audit_seq_idx');
    table.string('prev_hash', 64).nullable();
    table.string('hash', 64).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_audit', table => {
    table.dropUnique(['seq'], 'access_audit_seq_idx');
    table.dropColumn('seq');
    table.dropColumn('prev_hash');
    table.dropColumn('hash');
  });
};
