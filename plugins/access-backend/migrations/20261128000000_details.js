// @ts-check

/**
 * Access details (what a provisioner returned for the grantee, e.g. a password),
 * encrypted with AES-256-GCM, one row per active grant, deleted when the grant ends.
 * `access_settings` keeps the generated development key when none is configured.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('access_details', table => {
    table
      .string('request_id', 36)
      .primary()
      .references('id')
      .inTable('access_requests')
      .onDelete('CASCADE');
    table.text('ciphertext').notNullable();
    table.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('access_settings', table => {
    table.string('key').primary();
    table.text('value').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('access_settings');
  await knex.schema.dropTable('access_details');
};
