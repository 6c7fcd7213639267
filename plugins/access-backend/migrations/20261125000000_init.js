// @ts-check

/**
 * The access plugin's tables. Times are epoch milliseconds (bigint) so that SQLite and
 * PostgreSQL compare and index them the same way.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('access_requests', table => {
    table.string('id', 36).primary();
    table.string('group_id', 36).notNullable();
    table.string('requester').notNullable();
    table.string('created_by').notNullable();
    table.string('flow_id').notNullable();
    table.string('flow_title').notNullable();
    table.string('approval_type', 16).notNullable();
    table.string('provisioner').notNullable();
    table
      .text('resources')
      .notNullable()
      .comment('JSON: [{entityRef, permissions}]');
    table.text('justification').notNullable();
    table.integer('duration_seconds').notNullable();
    table.string('status', 16).notNullable();
    table
      .string('awaiting', 16)
      .nullable()
      .comment('what an approver must decide: approval | extension | review');
    table
      .text('approvers')
      .notNullable()
      .comment('JSON: user refs resolved at submit time');
    table.integer('required_approvals').notNullable();
    table.boolean('allow_self_approval').notNullable();
    table.text('checks').notNullable();
    table.boolean('break_glass').notNullable();
    table.text('review').nullable();
    table.text('extension').nullable();
    table.integer('extensions_used').notNullable().defaultTo(0);
    table.integer('extensions_allowed').notNullable();
    table.string('again_of', 36).nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.bigInteger('granted_at').nullable();
    table.bigInteger('expires_at').nullable();
    table.bigInteger('ended_at').nullable();
    table.text('end_reason').nullable();
    table
      .text('ending')
      .nullable()
      .comment('JSON: a decided revocation waiting for the provisioner');
    table.text('last_error').nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.bigInteger('next_attempt_at').nullable();

    table.index(
      ['requester', 'created_at', 'id'],
      'access_requests_requester_idx',
    );
    table.index(['status', 'expires_at'], 'access_requests_status_expires_idx');
    table.index(['status', 'created_at'], 'access_requests_status_created_idx');
    table.index(['created_at', 'id'], 'access_requests_created_idx');
    table.index(['group_id'], 'access_requests_group_idx');
  });

  await knex.schema.createTable('access_request_approvers', table => {
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('access_requests')
      .onDelete('CASCADE');
    table.string('approver').notNullable();
    table.primary(['request_id', 'approver']);
    table.index(
      ['approver', 'request_id'],
      'access_request_approvers_approver_idx',
    );
  });

  await knex.schema.createTable('access_approvals', table => {
    table.increments('id');
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('access_requests')
      .onDelete('CASCADE');
    table.string('kind', 16).notNullable();
    table.integer('round').notNullable().defaultTo(0);
    table.string('approver').notNullable();
    table.string('decision', 16).notNullable();
    table.text('comment').nullable();
    table.bigInteger('at').notNullable();
    table.unique(['request_id', 'kind', 'round', 'approver'], {
      indexName: 'access_approvals_distinct_idx',
    });
    table.index(['approver', 'at'], 'access_approvals_approver_idx');
  });

  await knex.schema.createTable('access_favorites', table => {
    table.string('user_ref').notNullable();
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('access_requests')
      .onDelete('CASCADE');
    table.bigInteger('created_at').notNullable();
    table.primary(['user_ref', 'request_id']);
  });

  await knex.schema.createTable('access_audit', table => {
    table.bigIncrements('id');
    table.bigInteger('at').notNullable();
    table.string('actor').notNullable();
    table.string('action', 64).notNullable();
    table.string('request_id', 36).nullable();
    table.string('severity', 16).notNullable();
    table.string('from_status', 16).nullable();
    table.string('to_status', 16).nullable();
    table.text('details').notNullable();
    table.index(['request_id'], 'access_audit_request_idx');
  });

  await knex.schema.createTable('access_idempotency', table => {
    table.string('principal').notNullable();
    table.string('idem_key', 255).notNullable();
    table.string('body_hash', 64).notNullable();
    table.string('group_id', 36).notNullable();
    table.bigInteger('created_at').notNullable();
    table.primary(['principal', 'idem_key']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('access_idempotency');
  await knex.schema.dropTable('access_audit');
  await knex.schema.dropTable('access_favorites');
  await knex.schema.dropTable('access_approvals');
  await knex.schema.dropTable('access_request_approvers');
  await knex.schema.dropTable('access_requests');
};
