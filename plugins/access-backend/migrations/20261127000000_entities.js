// @ts-check

/**
 * One row per (request, entity), so the entity page can find who holds access to an
 * entity, and its history, without scanning every request. Also remembers when the
 * requester was told that access ends soon.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('access_request_entities', table => {
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('access_requests')
      .onDelete('CASCADE');
    table.string('entity_ref').notNullable();
    table.bigInteger('created_at').notNullable();
    table.primary(['request_id', 'entity_ref']);
    table.index(
      ['entity_ref', 'created_at'],
      'access_request_entities_entity_idx',
    );
  });
  await knex.schema.alterTable('access_requests', table => {
    table.bigInteger('expiry_notified_at').nullable();
  });
  // Backfill from the requests' resources.
  const rows = await knex('access_requests').select(
    'id',
    'resources',
    'created_at',
  );
  for (const row of rows) {
    /** @type {{ entityRef: string }[]} */
    const resources = JSON.parse(row.resources);
    const refs = [...new Set(resources.map(r => r.entityRef))];
    if (refs.length) {
      await knex('access_request_entities').insert(
        refs.map(entity_ref => ({
          request_id: row.id,
          entity_ref,
          created_at: row.created_at,
        })),
      );
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropColumn('expiry_notified_at');
  });
  await knex.schema.dropTable('access_request_entities');
};
